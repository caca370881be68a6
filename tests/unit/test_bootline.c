/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The MOSH CONNECT scanner: upstream's accepted forms, noise around them, every rejection. */
#include <string.h>

#include "bootstrap/bootline.h"
#include "test.h"
#include "util/err.h"

#define KEY "AAECAwQFBgcICQoLDA0ODw"

static int
feed_str(struct bootline *b, const char *s)
{
    return bootline_feed(b, s, strlen(s));
}

static void
test_parse(void)
{
    uint16_t port;
    char key[BOOTLINE_KEY_TEXT_LEN + 1];
    static const char *bad[] = {
        "MOSH CONNECT",
        "MOSH CONNECT ",
        "MOSH CONNECT 60001",
        "MOSH CONNECT 60001 ",
        "MOSH CONNECT 0 " KEY,
        "MOSH CONNECT 65536 " KEY,
        "MOSH CONNECT 999999999999999999999 " KEY,
        "MOSH CONNECT -1 " KEY,
        "MOSH CONNECT  60001 " KEY,
        "MOSH CONNECT 60001  " KEY,
        "MOSH CONNECT 60001 AAECAwQFBgcICQoLDA0OD",
        "MOSH CONNECT 60001 " KEY "x",
        "MOSH CONNECT 60001 " KEY "==",
        "MOSH CONNECT 60001 AAECAwQFBgcICQoLDA0OD=",
        "MOSH CONNECT 60001 AAECAwQFBgcICQoLDA0OD-",
        "MOSH CONNECTX 60001 " KEY,
        "MOSH CONNECT 6a001 " KEY,
    };

    TEST_START("connect: accepted forms");
    ASSERT_INT_EQ(bootline_parse_connect("MOSH CONNECT 60001 " KEY, 41, &port, key), 0);
    ASSERT_INT_EQ(port, 60001);
    ASSERT_STR_EQ(key, KEY);
    const char *ws = "MOSH CONNECT 1 " KEY " \t\r";
    ASSERT_INT_EQ(bootline_parse_connect(ws, strlen(ws), &port, key), 0);
    ASSERT_INT_EQ(port, 1);
    ws = "MOSH CONNECT 00065535 " KEY;
    ASSERT_INT_EQ(bootline_parse_connect(ws, strlen(ws), &port, key), 0);
    ASSERT_INT_EQ(port, 65535);

    TEST_START("connect: rejections zero their outputs");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        port = 7;
        memset(key, 'x', sizeof(key));
        ASSERT_INT_EQ(bootline_parse_connect(bad[i], strlen(bad[i]), &port, key),
                      MSH_ERR_FORMAT);
        ASSERT_INT_EQ(port, 0);
        ASSERT_INT_EQ(key[0], 0);
    }
}

static void
test_feed(void)
{
    struct bootline b;

    TEST_START("feed: noise, \\r\\n\\n prefix, split reads");
    bootline_init(&b);
    ASSERT_INT_EQ(feed_str(&b, "Welcome to host\r\nLast login: x\r\n\r\n\nMOSH CONN"), 0);
    ASSERT_FALSE(b.have_connect);
    ASSERT_INT_EQ(feed_str(&b, "ECT 60002 " KEY "\r\n[mosh-server detached]\n"), 0);
    ASSERT_TRUE(b.have_connect);
    ASSERT_INT_EQ(b.port, 60002);
    ASSERT_STR_EQ(b.key_text, KEY);
    ASSERT_TRUE(strstr(bootline_noise(&b), "Last login: x") != NULL);
    ASSERT_TRUE(strstr(bootline_noise(&b), "detached") == NULL);
    bootline_fini(&b);
    ASSERT_INT_EQ(b.key_text[0], 0);

    TEST_START("feed: MOSH IP and SSH_CONNECTION");
    bootline_init(&b);
    ASSERT_INT_EQ(feed_str(&b, "MOSH IP 192.0.2.1  \n"), 0);
    ASSERT_TRUE(b.have_ip);
    ASSERT_STR_EQ(b.ip, "192.0.2.1");
    ASSERT_INT_EQ(feed_str(&b, "MOSH IP 192.0.2.2\n"), MSH_ERR_FORMAT);
    bootline_init(&b);
    ASSERT_INT_EQ(feed_str(&b, "\nMOSH SSH_CONNECTION 10.0.0.1 5555 10.0.0.2 22\n"), 0);
    ASSERT_TRUE(b.have_ssh_connection);
    ASSERT_STR_EQ(b.ssh_server_ip, "10.0.0.2");
    bootline_init(&b);
    ASSERT_INT_EQ(feed_str(&b, "MOSH SSH_CONNECTION 10.0.0.1 5555 10.0.0.2\n"), 0);
    ASSERT_FALSE(b.have_ssh_connection);
    ASSERT_INT_EQ(feed_str(&b, "MOSH SSH_CONNECTION 1 2 3 4 5\n"), 0);
    ASSERT_FALSE(b.have_ssh_connection);

    TEST_START("feed: bad CONNECT is fatal and reported as noise");
    bootline_init(&b);
    ASSERT_INT_EQ(feed_str(&b, "MOSH CONNECT 60001 short\n"), MSH_ERR_FORMAT);
    ASSERT_FALSE(b.have_connect);
    ASSERT_TRUE(strstr(bootline_noise(&b), "MOSH CONNECT 60001 short") != NULL);

    TEST_START("feed: control bytes in noise are neutralised, long lines bounded");
    bootline_init(&b);
    ASSERT_INT_EQ(feed_str(&b, "bash: mosh-server: command not found\x1b[0m\n"), 0);
    ASSERT_TRUE(strstr(bootline_noise(&b), "command not found?[0m") != NULL);
    ASSERT_INT_EQ(feed_str(&b, "del\x7f c1\xc2\x9b" "31m bell\x07 keep\xc3\xa9\n"), 0);
    ASSERT_TRUE(strstr(bootline_noise(&b), "del? c1??31m bell? keep\xc3\xa9") != NULL);
    for (int i = 0; i < 10000; i++)
        ASSERT_INT_EQ(feed_str(&b, "y"), 0);
    ASSERT_INT_EQ(feed_str(&b, "\nMOSH CONNECT 5 " KEY "\n"), 0);
    ASSERT_TRUE(b.have_connect);
    ASSERT_TRUE(strlen(bootline_noise(&b)) < BOOTLINE_NOISE_LEN);

    TEST_START("feed: a flood without CONNECT is capped");
    bootline_init(&b);
    static char junk[65536];
    memset(junk, 'z', sizeof(junk));
    int r = 0;
    for (int i = 0; i < 10 && r == 0; i++)
        r = bootline_feed(&b, junk, sizeof(junk));
    ASSERT_INT_EQ(r, MSH_ERR_TOO_LARGE);
    ASSERT_FALSE(b.have_connect);
}

int
main(void)
{
    test_parse();
    test_feed();
    return TEST_DONE();
}
