/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GSSAPI built out of the static executable. Debian's libssh.a calls these for
 * gssapi-with-mic (RFC 4462); there is no static Kerberos to link, so each security
 * operation fails with GSS_S_UNAVAILABLE and a message that says why, outputs set to "no
 * object" (libssh then moves on to the next authentication method). OID sets are real:
 * libssh builds and frees them around the calls that fail. */
#include "static/gss.h"

#include <stdlib.h>
#include <string.h>

/* RFC 2744 §4: the name types' OIDs, as MIT exports them. */
static unsigned char oid_user_name[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02,
                                        0x01, 0x01};
static unsigned char oid_hostbased[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02,
                                        0x01, 0x04};
static struct gss_stub_oid user_name_desc = {sizeof(oid_user_name), oid_user_name};
static struct gss_stub_oid hostbased_desc = {sizeof(oid_hostbased), oid_hostbased};
struct gss_stub_oid *GSS_C_NT_USER_NAME = &user_name_desc;
struct gss_stub_oid *GSS_C_NT_HOSTBASED_SERVICE = &hostbased_desc;

static uint32_t
unavailable(uint32_t *minor)
{
    if (minor)
        *minor = 0;
    return GSS_STUB_UNAVAILABLE;
}

static void
clear_buffer(struct gss_stub_buffer *b)
{
    if (b) {
        b->length = 0;
        b->value = NULL;
    }
}

static void
clear_handle(struct gss_stub_handle **h)
{
    if (h)
        *h = NULL;
}

uint32_t
gss_accept_sec_context(uint32_t *minor, struct gss_stub_handle **ctx,
                       struct gss_stub_handle *cred, struct gss_stub_buffer *in,
                       struct gss_stub_handle *cb, struct gss_stub_handle **src,
                       struct gss_stub_oid **mech, struct gss_stub_buffer *out,
                       uint32_t *flags, uint32_t *time_rec, struct gss_stub_handle **deleg)
{
    (void)ctx, (void)cred, (void)in, (void)cb;
    clear_handle(src);
    clear_handle(deleg);
    clear_buffer(out);
    if (mech)
        *mech = NULL;
    if (flags)
        *flags = 0;
    if (time_rec)
        *time_rec = 0;
    return unavailable(minor);
}

uint32_t
gss_acquire_cred(uint32_t *minor, struct gss_stub_handle *name, uint32_t time_req,
                 struct gss_stub_oid_set *mechs, int usage, struct gss_stub_handle **cred,
                 struct gss_stub_oid_set **actual, uint32_t *time_rec)
{
    (void)name, (void)time_req, (void)mechs, (void)usage;
    clear_handle(cred);
    if (actual)
        *actual = NULL;
    if (time_rec)
        *time_rec = 0;
    return unavailable(minor);
}

uint32_t
gss_create_empty_oid_set(uint32_t *minor, struct gss_stub_oid_set **set)
{
    if (minor)
        *minor = 0;
    if (set == NULL)
        return GSS_STUB_FAILURE;
    *set = calloc(1, sizeof(**set));
    return *set ? GSS_STUB_COMPLETE : GSS_STUB_FAILURE;
}

uint32_t
gss_add_oid_set_member(uint32_t *minor, struct gss_stub_oid *member,
                       struct gss_stub_oid_set **set)
{
    if (minor)
        *minor = 0;
    if (member == NULL || set == NULL || *set == NULL)
        return GSS_STUB_FAILURE;
    struct gss_stub_oid_set *s = *set;
    int present = 0;
    gss_test_oid_set_member(minor, member, s, &present);
    if (present)
        return GSS_STUB_COMPLETE;
    if (s->count >= 64) /* libssh adds at most the handful of OIDs a peer lists */
        return GSS_STUB_FAILURE;
    struct gss_stub_oid *e = realloc(s->elements, (s->count + 1) * sizeof(*e));
    if (e == NULL)
        return GSS_STUB_FAILURE;
    s->elements = e;
    void *copy = malloc(member->length ? member->length : 1);
    if (copy == NULL)
        return GSS_STUB_FAILURE;
    if (member->length)
        memcpy(copy, member->elements, member->length);
    e[s->count].length = member->length;
    e[s->count].elements = copy;
    s->count++;
    return GSS_STUB_COMPLETE;
}

uint32_t
gss_test_oid_set_member(uint32_t *minor, struct gss_stub_oid *member,
                        struct gss_stub_oid_set *set, int *present)
{
    if (minor)
        *minor = 0;
    if (present == NULL)
        return GSS_STUB_FAILURE;
    *present = 0;
    if (member == NULL || set == NULL)
        return GSS_STUB_COMPLETE;
    for (size_t i = 0; i < set->count; i++)
        if (set->elements[i].length == member->length &&
            (member->length == 0 ||
             memcmp(set->elements[i].elements, member->elements, member->length) == 0))
            *present = 1;
    return GSS_STUB_COMPLETE;
}

uint32_t
gss_release_oid_set(uint32_t *minor, struct gss_stub_oid_set **set)
{
    if (minor)
        *minor = 0;
    if (set == NULL || *set == NULL)
        return GSS_STUB_COMPLETE;
    for (size_t i = 0; i < (*set)->count; i++)
        free((*set)->elements[i].elements);
    free((*set)->elements);
    free(*set);
    *set = NULL;
    return GSS_STUB_COMPLETE;
}

uint32_t
gss_display_name(uint32_t *minor, struct gss_stub_handle *name, struct gss_stub_buffer *out,
                 struct gss_stub_oid **type)
{
    (void)name;
    clear_buffer(out);
    if (type)
        *type = NULL;
    return unavailable(minor);
}

/* One message for every status: the only failure this build has is the missing
 * Kerberos. The text is heap memory, as gss_release_buffer frees it. */
uint32_t
gss_display_status(uint32_t *minor, uint32_t status, int type, struct gss_stub_oid *mech,
                   uint32_t *msg_ctx, struct gss_stub_buffer *out)
{
    (void)status, (void)type, (void)mech;
    if (minor)
        *minor = 0;
    if (msg_ctx)
        *msg_ctx = 0; /* no further messages: callers loop while it is non-zero */
    if (out == NULL)
        return GSS_STUB_FAILURE;
    clear_buffer(out);
    size_t n = strlen(GSS_STUB_MESSAGE);
    char *text = malloc(n + 1);
    if (text == NULL)
        return GSS_STUB_FAILURE;
    memcpy(text, GSS_STUB_MESSAGE, n + 1);
    out->length = n;
    out->value = text;
    return GSS_STUB_COMPLETE;
}

uint32_t
gss_get_mic(uint32_t *minor, struct gss_stub_handle *ctx, uint32_t qop,
            struct gss_stub_buffer *msg, struct gss_stub_buffer *token)
{
    (void)ctx, (void)qop, (void)msg;
    clear_buffer(token);
    return unavailable(minor);
}

uint32_t
gss_import_name(uint32_t *minor, struct gss_stub_buffer *in, struct gss_stub_oid *type,
                struct gss_stub_handle **name)
{
    (void)in, (void)type;
    clear_handle(name);
    return unavailable(minor);
}

/* The truthful answer: no mechanisms. An empty set, not an error, so no caller has to
 * handle a missing set. */
uint32_t
gss_indicate_mechs(uint32_t *minor, struct gss_stub_oid_set **mechs)
{
    return gss_create_empty_oid_set(minor, mechs);
}

uint32_t
gss_init_sec_context(uint32_t *minor, struct gss_stub_handle *cred,
                     struct gss_stub_handle **ctx, struct gss_stub_handle *target,
                     struct gss_stub_oid *mech, uint32_t req_flags, uint32_t time_req,
                     struct gss_stub_handle *cb, struct gss_stub_buffer *in,
                     struct gss_stub_oid **actual, struct gss_stub_buffer *out,
                     uint32_t *flags, uint32_t *time_rec)
{
    (void)cred, (void)ctx, (void)target, (void)mech, (void)req_flags, (void)time_req;
    (void)cb, (void)in;
    if (actual)
        *actual = NULL;
    clear_buffer(out);
    if (flags)
        *flags = 0;
    if (time_rec)
        *time_rec = 0;
    return unavailable(minor);
}

uint32_t
gss_inquire_cred(uint32_t *minor, struct gss_stub_handle *cred, struct gss_stub_handle **name,
                 uint32_t *lifetime, int *usage, struct gss_stub_oid_set **mechs)
{
    (void)cred;
    clear_handle(name);
    if (lifetime)
        *lifetime = 0;
    if (usage)
        *usage = 0;
    if (mechs)
        *mechs = NULL;
    return unavailable(minor);
}

uint32_t
gss_inquire_cred_by_mech(uint32_t *minor, struct gss_stub_handle *cred,
                         struct gss_stub_oid *mech, struct gss_stub_handle **name,
                         uint32_t *init_life, uint32_t *accept_life, int *usage)
{
    (void)cred, (void)mech;
    clear_handle(name);
    if (init_life)
        *init_life = 0;
    if (accept_life)
        *accept_life = 0;
    if (usage)
        *usage = 0;
    return unavailable(minor);
}

uint32_t
gss_release_buffer(uint32_t *minor, struct gss_stub_buffer *buf)
{
    if (minor)
        *minor = 0;
    if (buf) {
        free(buf->value);
        clear_buffer(buf);
    }
    return GSS_STUB_COMPLETE;
}

/* Names and credentials are never created here, so there is nothing to free. */
uint32_t
gss_release_cred(uint32_t *minor, struct gss_stub_handle **cred)
{
    if (minor)
        *minor = 0;
    clear_handle(cred);
    return GSS_STUB_COMPLETE;
}

uint32_t
gss_release_name(uint32_t *minor, struct gss_stub_handle **name)
{
    if (minor)
        *minor = 0;
    clear_handle(name);
    return GSS_STUB_COMPLETE;
}

uint32_t
gss_verify_mic(uint32_t *minor, struct gss_stub_handle *ctx, struct gss_stub_buffer *msg,
               struct gss_stub_buffer *token, uint32_t *qop)
{
    (void)ctx, (void)msg, (void)token;
    if (qop)
        *qop = 0;
    return unavailable(minor);
}
