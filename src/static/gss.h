/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GSSAPI entry points Debian's static libssh.a calls (RFC 2744 C bindings, MIT ABI:
 * OM_uint32 is 32 bits, buffers and OID sets as below), declared without the Kerberos
 * headers: the static executable has no Kerberos, and these say so when called. */
#ifndef MSH_STATIC_GSS_H
#define MSH_STATIC_GSS_H

#include <stddef.h>
#include <stdint.h>

/* RFC 2744 §3.2 (gss_buffer_desc), §3.3 (gss_OID_desc), §3.4 (gss_OID_set_desc). */
struct gss_stub_buffer {
    size_t length;
    void *value;
};
struct gss_stub_oid {
    uint32_t length;
    void *elements;
};
struct gss_stub_oid_set {
    size_t count;
    struct gss_stub_oid *elements;
};
/* Names, credentials, contexts and channel bindings are opaque handles: never created. */
struct gss_stub_handle;

/* RFC 2744 §3.9.1: routine errors sit in bits 16-23. */
#define GSS_STUB_COMPLETE 0u
#define GSS_STUB_FAILURE (13u << 16)
#define GSS_STUB_UNAVAILABLE (16u << 16)

/* What every Kerberos operation reports (gss_display_status's text). */
#define GSS_STUB_MESSAGE "Kerberos (GSSAPI) is not in this static build of cmosh"

extern struct gss_stub_oid *GSS_C_NT_USER_NAME;
extern struct gss_stub_oid *GSS_C_NT_HOSTBASED_SERVICE;

uint32_t gss_accept_sec_context(uint32_t *minor, struct gss_stub_handle **ctx,
                                struct gss_stub_handle *cred, struct gss_stub_buffer *in,
                                struct gss_stub_handle *cb, struct gss_stub_handle **src,
                                struct gss_stub_oid **mech, struct gss_stub_buffer *out,
                                uint32_t *flags, uint32_t *time_rec,
                                struct gss_stub_handle **deleg);
uint32_t gss_acquire_cred(uint32_t *minor, struct gss_stub_handle *name, uint32_t time_req,
                          struct gss_stub_oid_set *mechs, int usage,
                          struct gss_stub_handle **cred, struct gss_stub_oid_set **actual,
                          uint32_t *time_rec);
uint32_t gss_add_oid_set_member(uint32_t *minor, struct gss_stub_oid *member,
                                struct gss_stub_oid_set **set);
uint32_t gss_create_empty_oid_set(uint32_t *minor, struct gss_stub_oid_set **set);
uint32_t gss_display_name(uint32_t *minor, struct gss_stub_handle *name,
                          struct gss_stub_buffer *out, struct gss_stub_oid **type);
uint32_t gss_display_status(uint32_t *minor, uint32_t status, int type,
                            struct gss_stub_oid *mech, uint32_t *msg_ctx,
                            struct gss_stub_buffer *out);
uint32_t gss_get_mic(uint32_t *minor, struct gss_stub_handle *ctx, uint32_t qop,
                     struct gss_stub_buffer *msg, struct gss_stub_buffer *token);
uint32_t gss_import_name(uint32_t *minor, struct gss_stub_buffer *in,
                         struct gss_stub_oid *type, struct gss_stub_handle **name);
uint32_t gss_indicate_mechs(uint32_t *minor, struct gss_stub_oid_set **mechs);
uint32_t gss_init_sec_context(uint32_t *minor, struct gss_stub_handle *cred,
                              struct gss_stub_handle **ctx, struct gss_stub_handle *target,
                              struct gss_stub_oid *mech, uint32_t req_flags,
                              uint32_t time_req, struct gss_stub_handle *cb,
                              struct gss_stub_buffer *in, struct gss_stub_oid **actual,
                              struct gss_stub_buffer *out, uint32_t *flags,
                              uint32_t *time_rec);
uint32_t gss_inquire_cred(uint32_t *minor, struct gss_stub_handle *cred,
                          struct gss_stub_handle **name, uint32_t *lifetime, int *usage,
                          struct gss_stub_oid_set **mechs);
uint32_t gss_inquire_cred_by_mech(uint32_t *minor, struct gss_stub_handle *cred,
                                  struct gss_stub_oid *mech, struct gss_stub_handle **name,
                                  uint32_t *init_life, uint32_t *accept_life, int *usage);
uint32_t gss_release_buffer(uint32_t *minor, struct gss_stub_buffer *buf);
uint32_t gss_release_cred(uint32_t *minor, struct gss_stub_handle **cred);
uint32_t gss_release_name(uint32_t *minor, struct gss_stub_handle **name);
uint32_t gss_release_oid_set(uint32_t *minor, struct gss_stub_oid_set **set);
uint32_t gss_test_oid_set_member(uint32_t *minor, struct gss_stub_oid *member,
                                 struct gss_stub_oid_set *set, int *present);
uint32_t gss_verify_mic(uint32_t *minor, struct gss_stub_handle *ctx,
                        struct gss_stub_buffer *msg, struct gss_stub_buffer *token,
                        uint32_t *qop);

#endif
