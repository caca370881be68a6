/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GSSAPI stand-ins: every Kerberos operation fails cleanly (status, no objects, a
 * message), OID sets work, releases accept what they were given. */
#include <stdlib.h>
#include <string.h>

#include "static/gss.h"
#include "test.h"

/* RFC 2744 §3.9.1 GSS_ERROR: a calling or routine error. */
#define IS_ERROR(x) (((x) & 0xffff0000u) != 0)

int
main(void)
{
    uint32_t minor = 77;
    struct gss_stub_handle *name = (struct gss_stub_handle *)&minor, *cred, *ctx = NULL;
    static char host[] = "host";
    struct gss_stub_buffer in = {4, host}, out = {9, &minor};
    struct gss_stub_oid_set *set = NULL;
    struct gss_stub_oid *mech = GSS_C_NT_HOSTBASED_SERVICE;

    TEST_START("gss: the name types carry RFC 2744's OIDs");
    ASSERT_INT_EQ(GSS_C_NT_HOSTBASED_SERVICE->length, 10);
    ASSERT_INT_EQ(((unsigned char *)GSS_C_NT_HOSTBASED_SERVICE->elements)[9], 4);
    ASSERT_INT_EQ(((unsigned char *)GSS_C_NT_USER_NAME->elements)[9], 1);

    TEST_START("gss: Kerberos operations are unavailable and create nothing");
    ASSERT_INT_EQ(gss_import_name(&minor, &in, mech, &name), GSS_STUB_UNAVAILABLE);
    ASSERT_TRUE(name == NULL);
    ASSERT_INT_EQ(minor, 0);
    cred = name;
    ASSERT_TRUE(IS_ERROR(gss_acquire_cred(&minor, NULL, 0, NULL, 1, &cred, &set, NULL)));
    ASSERT_TRUE(cred == NULL && set == NULL);
    ASSERT_TRUE(IS_ERROR(gss_init_sec_context(&minor, NULL, &ctx, NULL, mech, 0, 0, NULL, &in,
                                              &mech, &out, NULL, NULL)));
    ASSERT_TRUE(out.value == NULL && out.length == 0 && mech == NULL);
    ASSERT_TRUE(IS_ERROR(gss_accept_sec_context(&minor, &ctx, NULL, &in, NULL, &name, &mech,
                                                &out, NULL, NULL, &cred)));
    ASSERT_TRUE(IS_ERROR(gss_get_mic(&minor, NULL, 0, &in, &out)));
    ASSERT_TRUE(IS_ERROR(gss_verify_mic(&minor, NULL, &in, &in, NULL)));
    ASSERT_TRUE(IS_ERROR(gss_display_name(&minor, NULL, &out, NULL)));
    ASSERT_TRUE(IS_ERROR(gss_inquire_cred(&minor, NULL, &name, NULL, NULL, &set)));
    ASSERT_TRUE(IS_ERROR(gss_inquire_cred_by_mech(&minor, NULL, mech, NULL, NULL, NULL,
                                                  NULL)));

    TEST_START("gss: the status text says why, once");
    uint32_t msg_ctx = 5;
    ASSERT_INT_EQ(gss_display_status(&minor, GSS_STUB_UNAVAILABLE, 1, NULL, &msg_ctx, &out),
                  0);
    ASSERT_INT_EQ(msg_ctx, 0);
    ASSERT_STR_EQ((const char *)out.value, GSS_STUB_MESSAGE);
    ASSERT_TRUE(strstr((const char *)out.value, "not in this static build") != NULL);
    ASSERT_INT_EQ(gss_release_buffer(&minor, &out), 0);
    ASSERT_TRUE(out.value == NULL);
    ASSERT_INT_EQ(gss_release_buffer(&minor, &out), 0);

    TEST_START("gss: no mechanisms, and OID sets that work");
    ASSERT_INT_EQ(gss_indicate_mechs(&minor, &set), 0);
    ASSERT_TRUE(set != NULL && set->count == 0);
    int present = 1;
    ASSERT_INT_EQ(gss_test_oid_set_member(&minor, GSS_C_NT_USER_NAME, set, &present), 0);
    ASSERT_INT_EQ(present, 0);
    ASSERT_INT_EQ(gss_add_oid_set_member(&minor, GSS_C_NT_USER_NAME, &set), 0);
    ASSERT_INT_EQ(gss_add_oid_set_member(&minor, GSS_C_NT_USER_NAME, &set), 0);
    ASSERT_INT_EQ(set->count, 1);
    ASSERT_INT_EQ(gss_test_oid_set_member(&minor, GSS_C_NT_USER_NAME, set, &present), 0);
    ASSERT_INT_EQ(present, 1);
    ASSERT_INT_EQ(gss_test_oid_set_member(&minor, GSS_C_NT_HOSTBASED_SERVICE, set, &present),
                  0);
    ASSERT_INT_EQ(present, 0);
    ASSERT_INT_EQ(gss_release_oid_set(&minor, &set), 0);
    ASSERT_TRUE(set == NULL);
    ASSERT_INT_EQ(gss_release_oid_set(&minor, &set), 0);
    ASSERT_TRUE(IS_ERROR(gss_add_oid_set_member(&minor, GSS_C_NT_USER_NAME, &set)));

    TEST_START("gss: releasing handles never created is fine");
    name = NULL;
    ASSERT_INT_EQ(gss_release_name(&minor, &name), 0);
    ASSERT_INT_EQ(gss_release_cred(&minor, &cred), 0);
    ASSERT_TRUE(cred == NULL);
    return TEST_DONE();
}
