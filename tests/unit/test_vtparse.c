/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parser alone: each state, UTF-8 edge cases (checked against glibc's mbrtowc driven
 * as upstream's UTF8Parser drives it), and hostile input that must stay bounded. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <wchar.h>

#include "terminal/vtparse.h"
#include "test.h"
#include "util/macros.h"

/* A log of events as text: "p<hex>" print, "a<text>" ascii run, "x<hex>" execute,
 * "c<inter><final>(<params>)" CSI, "e<inter><final>" ESC, "o<len>:<text>" OSC. */
struct rec {
    char log[1 << 16];
    size_t len;
    size_t osc_len;      /* length of the last OSC */
    uint32_t cps[4096];  /* printed code points, for the UTF-8 comparison */
    size_t n_cps;
};

static void
rec_put(struct rec *r, const char *s, size_t n)
{
    if (n > sizeof(r->log) - 1 - r->len)
        n = sizeof(r->log) - 1 - r->len;
    memcpy(r->log + r->len, s, n);
    r->len += n;
    r->log[r->len] = '\0';
}

#define ARRAY_LEN_CPS (sizeof(((struct rec *)0)->cps) / sizeof(uint32_t))

/* tag, then v in hex, then a space: "p4e2d " */
static void
rec_hex(struct rec *r, char tag, unsigned long v)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%c%lx ", tag, v);

    rec_put(r, b, (size_t)n);
}

static void
rec_dec(struct rec *r, bool comma, unsigned long v)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%s%lu", comma ? "," : "", v);

    rec_put(r, b, (size_t)n);
}

/* A final byte as itself, or <hex> beyond ASCII. */
static void
rec_final(struct rec *r, uint32_t f)
{
    char b[32];
    int n;

    if (f < 0x80)
        n = snprintf(b, sizeof(b), "%c", (char)f);
    else
        n = snprintf(b, sizeof(b), "<%lx>", (unsigned long)f);
    rec_put(r, b, (size_t)n);
}

static void
rec_cp(struct rec *r, uint32_t cp)
{
    if (r->n_cps < ARRAY_LEN_CPS)
        r->cps[r->n_cps++] = cp;
}

/* Set when comparing feeds that split ASCII runs differently. */
static bool ascii_per_char;

static bool
on_ascii(void *u, const uint8_t *s, size_t n)
{
    struct rec *r = u;

    if (ascii_per_char) {
        for (size_t i = 0; i < n; i++) {
            rec_hex(r, 'p', s[i]);
            rec_cp(r, s[i]);
        }
        return true;
    }
    rec_put(r, "a", 1);
    rec_put(r, (const char *)s, n);
    rec_put(r, " ", 1);
    for (size_t i = 0; i < n; i++)
        rec_cp(r, s[i]);
    return true;
}

static bool
on_print(void *u, uint32_t cp)
{
    struct rec *r = u;

    rec_hex(r, 'p', cp);
    rec_cp(r, cp);
    return true;
}

static bool
on_execute(void *u, uint32_t c)
{
    struct rec *r = u;

    rec_hex(r, 'x', c);
    rec_cp(r, c);
    return c != 0x01; /* pretend SOH is unknown, to count unhandled events */
}

static bool
on_csi(void *u, const struct vt_params *p, uint32_t final)
{
    struct rec *r = u;

    rec_put(r, "c", 1);
    rec_put(r, (const char *)p->inter, p->n_inter);
    rec_final(r, final);
    rec_put(r, "(", 1);
    for (size_t i = 0; i < p->n; i++)
        rec_dec(r, i != 0, p->v[i]);
    rec_put(r, ") ", 2);
    return true;
}

static bool
on_esc(void *u, const uint8_t *inter, size_t n, uint32_t final)
{
    struct rec *r = u;

    rec_put(r, "e", 1);
    rec_put(r, (const char *)inter, n);
    rec_final(r, final);
    rec_put(r, " ", 1);
    return true;
}

static bool
on_osc(void *u, const uint8_t *s, size_t n)
{
    struct rec *r = u;

    r->osc_len = n;
    rec_put(r, "o", 1);
    rec_dec(r, false, n);
    rec_put(r, ":", 1);
    rec_put(r, (const char *)s, n < 32 ? n : 32);
    rec_put(r, " ", 1);
    return true;
}

static const struct vtparse_cb cbs = {
    .print_ascii = on_ascii,
    .print = on_print,
    .execute = on_execute,
    .csi = on_csi,
    .esc = on_esc,
    .osc = on_osc,
};

static struct rec rec;
static struct vtparse vp;

static const char *
run(const char *s, size_t n)
{
    memset(&rec, 0, sizeof(rec));
    vtparse_reset(&vp);
    vtparse_feed(&vp, (const uint8_t *)s, n);
    return rec.log;
}
#define RUN(s) run((s), sizeof(s) - 1)

/* Byte at a time must give the same events, except that ASCII runs split. */
static const char *
run_split(const char *s, size_t n)
{
    memset(&rec, 0, sizeof(rec));
    vtparse_reset(&vp);
    for (size_t i = 0; i < n; i++)
        vtparse_feed(&vp, (const uint8_t *)s + i, 1);
    return rec.log;
}

static void
test_states(void)
{
    TEST_START("ground: ASCII runs, C0 executes, DEL and high code points print");
    ASSERT_STR_EQ(RUN("ab\rc\x7f\xc3\xa9"), "aab xd ac p7f pe9 ");
    ASSERT_STR_EQ(RUN("\x00\x1f"), "x0 x1f ");

    TEST_START("escape: dispatch, intermediates, C0 inside");
    ASSERT_STR_EQ(RUN("\0337\033(B\033#8"), "e7 e(B e#8 ");
    ASSERT_STR_EQ(RUN("\033\n7"), "xa e7 ");
    ASSERT_STR_EQ(RUN("\033 \x7f" "F"), "e F ");
    ASSERT_STR_EQ(RUN("\033\xe4\xb8\xad"), "e<4e2d> ");

    TEST_START("ESC restarts an escape; CAN/SUB abort with an execute");
    ASSERT_STR_EQ(RUN("\033(\033)0"), "e)0 ");
    ASSERT_STR_EQ(RUN("\033[12\x18" "a"), "x18 aa ");
    ASSERT_STR_EQ(RUN("\033[12\x1a" "a"), "x1a aa ");

    TEST_START("CSI: params, defaults, private marker, intermediates");
    ASSERT_STR_EQ(RUN("\033[m"), "cm(0) ");
    ASSERT_STR_EQ(RUN("\033[1;;22H"), "cH(1,0,22) ");
    ASSERT_STR_EQ(RUN("\033[?1049h"), "c?h(1049) ");
    ASSERT_STR_EQ(RUN("\033[>c"), "c>c(0) ");
    ASSERT_STR_EQ(RUN("\033[!p"), "c!p(0) ");
    ASSERT_STR_EQ(RUN("\033[2 q"), "c q(2) ");
    ASSERT_STR_EQ(RUN("\xc2\x9b" "5A"), "cA(5) ");

    TEST_START("CSI: C0 inside executes, DEL is ignored");
    ASSERT_STR_EQ(RUN("\033[1\b;2\x7fH"), "x8 cH(1,2) ");

    TEST_START("CSI: ':' or a late private marker ignores the sequence");
    ASSERT_STR_EQ(RUN("\033[38:5:1mX"), "aX ");
    ASSERT_STR_EQ(RUN("\033[:mX"), "aX ");
    ASSERT_STR_EQ(RUN("\033[1?hX"), "aX ");
    ASSERT_STR_EQ(RUN("\033[ 1qX"), "aX ");
    ASSERT_STR_EQ(RUN("\033[1;2\nmX"), "xa cm(1,2) aX ");

    TEST_START("CSI: zero, empty and > 65535 read as default");
    ASSERT_STR_EQ(RUN("\033[0;65535;65536;99999999999999999999H"), "cH(0,65535,0,0) ");
    ASSERT_STR_EQ(RUN("\033[00007H"), "cH(7) ");

    TEST_START("CSI: high code point as final");
    ASSERT_STR_EQ(RUN("\033[1\xc3\xa9X"), "c<e9>(1) aX ");

    TEST_START("OSC: BEL, ST, ESC, CAN end and dispatch it");
    ASSERT_STR_EQ(RUN("\033]0;hi\a"), "o4:0;hi ");
    ASSERT_STR_EQ(RUN("\033]0;hi\033\\"), "o4:0;hi e\\ ");
    ASSERT_STR_EQ(RUN("\033]0;hi\xc2\x9c"), "o4:0;hi ");
    ASSERT_STR_EQ(RUN("\033]0;hi\x18"), "o4:0;hi x18 ");
    ASSERT_STR_EQ(RUN("\xc2\x9d" "2;a\xc2\x9d" "1;b\a"), "o3:2;a o3:1;b ");

    TEST_START("OSC: C0 dropped, DEL and UTF-8 kept");
    ASSERT_STR_EQ(RUN("\033]2;a\x01\x7f\xc3\xa9\a"), "o6:2;a\x7f\xc3\xa9 ");

    TEST_START("DCS, SOS, PM, APC: consumed silently, C0 not executed");
    ASSERT_STR_EQ(RUN("\033P1;2|abc\n\033\\X"), "e\\ aX ");
    ASSERT_STR_EQ(RUN("\033P$q\"p\x9c" "X"), ""); /* a raw 0x9c is U+FFFD, not ST */
    ASSERT_STR_EQ(RUN("\033Pq\xc2\x9c" "X"), "aX ");
    ASSERT_STR_EQ(RUN("\033X sos \a\xc2\x9cX\033^pm\xc2\x9cY\033_apc\xc2\x9cZ"),
                  "aX aY aZ ");
    ASSERT_STR_EQ(RUN("\xc2\x90" "1:2q\xc2\x9c" "a\xc2\x98" "b\x1a" "c"),
                  "aa x1a ac ");

    TEST_START("C1 controls as code points execute from any state");
    ASSERT_STR_EQ(RUN("\xc2\x84\xc2\x85\033[1\xc2\x88" "A"), "x84 x85 x88 aA ");

    TEST_START("ST returns to ground without an event");
    ASSERT_STR_EQ(RUN("\033[1\xc2\x9cm"), "am ");

    TEST_START("split feeding gives the same events");
    ASSERT_STR_EQ(run_split("\033[1;2H\xe4\xb8\xad\033]0;t\a",
                            sizeof("\033[1;2H\xe4\xb8\xad\033]0;t\a") - 1),
                  "cH(1,2) p4e2d o3:0;t ");

    TEST_START("unhandled callbacks are counted");
    {
        uint64_t before = vp.unhandled;

        RUN("\x01\x01");
        ASSERT_U64_EQ(vp.unhandled - before, 2);
    }
}

static void
test_utf8(void)
{
    TEST_START("UTF-8: valid 2/3/4-byte sequences");
    ASSERT_STR_EQ(RUN("\xc2\xa0\xe2\x82\xac\xf0\x9f\x98\x80"), "pa0 p20ac p1f600 ");

    TEST_START("UTF-8: the breaking byte is retried");
    ASSERT_STR_EQ(RUN("\xe2\x82" "A"), "pfffd aA ");
    ASSERT_STR_EQ(RUN("\xe2\xe2\x82\xac"), "pfffd p20ac ");
    ASSERT_STR_EQ(RUN("\xc3\033[m"), "pfffd cm(0) ");

    TEST_START("UTF-8: raw C1 bytes, bad leads");
    ASSERT_STR_EQ(RUN("\x9b\x80\xc0\xc1\xfe\xff"), "pfffd pfffd pfffd pfffd pfffd pfffd ");

    TEST_START("UTF-8: overlong and surrogate give two U+FFFD");
    ASSERT_STR_EQ(RUN("\xe0\x80\x80"), "pfffd pfffd ");
    ASSERT_STR_EQ(RUN("\xed\xa0\x80"), "pfffd pfffd ");
    ASSERT_STR_EQ(RUN("\xf0\x80\x80\x80"), "pfffd pfffd ");

    TEST_START("UTF-8: above U+10FFFF gives one U+FFFD");
    ASSERT_STR_EQ(RUN("\xf4\x90\x80\x80"), "pfffd ");
    ASSERT_STR_EQ(RUN("\xf8\x88\x80\x80\x80"), "pfffd ");
    ASSERT_STR_EQ(RUN("\xfc\x84\x80\x80\x80\x80"), "pfffd ");

    TEST_START("UTF-8: an incomplete sequence waits across writes");
    memset(&rec, 0, sizeof(rec));
    vtparse_reset(&vp);
    vtparse_feed(&vp, (const uint8_t *)"\xe4\xb8", 2);
    ASSERT_STR_EQ(rec.log, "");
    vtparse_feed(&vp, (const uint8_t *)"\xad", 1);
    ASSERT_STR_EQ(rec.log, "p4e2d ");

    TEST_START("UTF-8: vtparse_reset drops a pending sequence");
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, (const uint8_t *)"\xe4\xb8", 2);
    vtparse_reset(&vp);
    vtparse_feed(&vp, (const uint8_t *)"a", 1);
    ASSERT_STR_EQ(rec.log, "aa ");
}

/* Upstream's UTF8Parser::input loop over glibc mbrtowc, applied to the parser's input
 * code points (the state machine then sees them); cps collects them. */
static size_t
model_decode(const uint8_t *in, size_t n, uint32_t *cps, size_t max)
{
    char buf[8];
    size_t buf_len = 0, k = 0;

    for (size_t i = 0; i < n; i++) {
        size_t total = 0, orig;

        if (buf_len == 0 && in[i] <= 0x7f) {
            if (k < max)
                cps[k++] = in[i];
            continue;
        }
        buf[buf_len++] = (char)in[i];
        orig = buf_len;
        while (total != orig) {
            mbstate_t ps;
            wchar_t wc;
            size_t b;
            uint32_t u;

            memset(&ps, 0, sizeof(ps));
            b = mbrtowc(&wc, buf, buf_len, &ps);
            if (b == 0) {
                buf_len = 0;
                wc = 0;
                b = 1;
            } else if (b == (size_t)-1) {
                if (buf_len > 1) {
                    buf[0] = buf[buf_len - 1];
                    b = buf_len - 1;
                    buf_len = 1;
                } else {
                    buf_len = 0;
                    b = 1;
                }
                wc = 0xfffd;
            } else if (b == (size_t)-2) {
                total += buf_len;
                continue;
            } else {
                memmove(buf, buf + b, buf_len - b);
                buf_len -= b;
            }
            u = (uint32_t)wc;
            if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
                u = 0xfffd;
            if (k < max)
                cps[k++] = u;
            total += b;
        }
    }
    return k;
}

/* Random byte soup biased to UTF-8 structure, printable only where the parser stays in
 * ground (no ESC, no C1 code points, no CAN/SUB): then every decoded code point shows
 * up as exactly one print or execute event. */
static void
test_utf8_against_glibc(void)
{
    static const uint8_t pool[] = {
        0x41, 0x7f, 0x80, 0x8f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe1,
        0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xf7, 0xf8, 0xfb, 0xfc, 0xfd, 0xfe,
        0xff, 0x90, 0x9f, 0xa5, 0x0a,
    };
    uint32_t want[512];
    uint8_t in[256];
    uint64_t seed = 0x9e3779b97f4a7c15u;
    int mismatches = 0, compared = 0;

    TEST_START("UTF-8 decoding equals upstream's mbrtowc loop (glibc C.UTF-8)");
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
        fprintf(stderr, "skipped: no C.UTF-8 locale\n");
        return;
    }
    for (int iter = 0; iter < 20000 && mismatches < 5; iter++) {
        size_t n = 1 + (size_t)(iter % 24), k;

        for (size_t i = 0; i < n; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            in[i] = pool[seed % sizeof(pool)];
        }
        k = model_decode(in, n, want, ARRAY_LEN_CPS);
        memset(&rec, 0, sizeof(rec));
        vtparse_reset(&vp);
        vtparse_feed(&vp, in, n);
        /* C1 code points decoded from C2 80..C2 9F leave ground: skip those inputs. */
        {
            bool c1 = false;

            for (size_t i = 0; i < k; i++)
                c1 |= want[i] >= 0x80 && want[i] < 0xa0;
            if (c1)
                continue;
        }
        if (k != rec.n_cps || memcmp(want, rec.cps, k * sizeof(uint32_t)) != 0) {
            mismatches++;
            TEST_FAIL_("iteration %d: %zu model code points, %zu ours", iter, k, rec.n_cps);
            test_hexdump_("input", in, n);
        }
        compared++;
    }
    ASSERT_INT_EQ(mismatches, 0);
    ASSERT_TRUE(compared > 10000);
    setlocale(LC_CTYPE, "C");
}

/* The fast paths (ASCII runs, CSI parameters, whole UTF-8 sequences) only apply when the
 * bytes are all in one write; feeding a byte at a time takes the slow path everywhere.
 * Both must give the same events. */
static void
test_fast_equals_slow(void)
{
    static const char *pool[] = {
        "\033", "[", "]", "P", "X", "\\", "0", "1", "9", ";", ":", "?", ">", "!", " ", "m",
        "H", "A", "a", "\a", "\n", "\x18", "\x7f", "\xc2\x9b", "\xc2\x9c", "\xc2\xa0",
        "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xe0\x80", "\xed\xa0\x80", "\x80",
        "\xc3", "\xf4\x90\x80\x80", "\xfc", "2;", "1;31", "#", "(",
    };
    static char whole[1 << 16];
    uint64_t seed = 0x853c49e6748fea9bu;
    char in[512];
    int bad = 0;

    TEST_START("fast paths give the events of the byte-at-a-time slow path");
    ascii_per_char = true;
    for (int iter = 0; iter < 5000 && bad < 3; iter++) {
        size_t n = 0;

        while (n < 200) {
            const char *piece;
            size_t m;

            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            piece = pool[seed % ARRAY_LEN(pool)];
            m = strlen(piece);
            memcpy(in + n, piece, m);
            n += m;
        }
        run(in, n);
        memcpy(whole, rec.log, rec.len + 1);
        run_split(in, n);
        if (strcmp(whole, rec.log) != 0) {
            bad++;
            TEST_FAIL_("iteration %d differs", iter);
            test_hexdump_("input", in, n);
        }
    }
    ascii_per_char = false;
    ASSERT_INT_EQ(bad, 0);
    ASSERT_TRUE(strlen(whole) > 100);
}

static void
test_hostile(void)
{
    size_t big = 10 * 1024 * 1024;
    uint8_t *p = malloc(big + 16);

    TEST_START("10 000 parameters: bounded, the first 100 characters kept");
    memcpy(p, "\033[", 2);
    for (size_t i = 0; i < 10000; i++) {
        p[2 + 2 * i] = '1';
        p[3 + 2 * i] = ';';
    }
    p[2 + 20000] = 'm';
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, p, 2 + 20000 + 1);
    ASSERT_INT_EQ(vp.params.n, 51);
    ASSERT_INT_EQ(vp.params.v[49], 1);
    ASSERT_INT_EQ(vp.params.v[50], 0);

    TEST_START("numbers past 2^32 saturate to default");
    ASSERT_STR_EQ(RUN("\033[4294967296;18446744073709551617;3A"), "cA(0,0,3) ");

    TEST_START("semicolons only: 101 parameters at most");
    memcpy(p, "\033[", 2);
    memset(p + 2, ';', 5000);
    p[5002] = 'm';
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, p, 5003);
    ASSERT_INT_EQ(vp.params.n, LIMITS_VT_PARAMS);

    TEST_START("too many intermediates: capped");
    memcpy(p, "\033[", 2);
    memset(p + 2, '!', 1000);
    p[1002] = 'p';
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, p, 1003);
    ASSERT_INT_EQ(vp.params.n_inter, LIMITS_VT_INTERMEDIATES);
    memcpy(p, "\033", 1);
    memset(p + 1, '#', 1000);
    p[1001] = '8';
    vtparse_feed(&vp, p, 1002);
    ASSERT_INT_EQ(vp.params.n_inter, LIMITS_VT_INTERMEDIATES);

    TEST_START("10 MB OSC: truncated at LIMITS_OSC_LEN code points, buffer fixed");
    memcpy(p, "\033]2;", 4);
    memset(p + 4, 'x', big);
    p[big + 4] = '\a';
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, p, big + 5);
    ASSERT_INT_EQ(rec.osc_len, LIMITS_OSC_LEN);

    TEST_START("OSC of 4-byte characters stays in its buffer");
    memcpy(p, "\033]2;", 4);
    for (size_t i = 0; i < 20000; i++)
        memcpy(p + 4 + 4 * i, "\xf0\x9f\x98\x80", 4);
    p[4 + 80000] = '\a';
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, p, 4 + 80000 + 1);
    ASSERT_INT_EQ(rec.osc_len, 2 + 4 * (LIMITS_OSC_LEN - 2));

    TEST_START("unterminated strings swallow input until a terminator");
    ASSERT_STR_EQ(RUN("\033]0;never ends"), "");
    ASSERT_INT_EQ(vp.state, VTPARSE_OSC_STRING);
    memset(p, 'y', big);
    vtparse_feed(&vp, p, big);
    ASSERT_STR_EQ(rec.log, "");
    ASSERT_STR_EQ(RUN("\033Pq never ends"), "");
    vtparse_feed(&vp, p, big);
    ASSERT_STR_EQ(rec.log, "");
    ASSERT_INT_EQ(vp.state, VTPARSE_DCS_PASSTHROUGH);
    vtparse_feed(&vp, (const uint8_t *)"\033\\z", 3);
    ASSERT_STR_EQ(rec.log, "e\\ az ");

    TEST_START("an unterminated CSI stays bounded");
    memcpy(p, "\033[", 2);
    memset(p + 2, '9', big);
    memset(&rec, 0, sizeof(rec));
    vtparse_feed(&vp, p, big + 2);
    vtparse_feed(&vp, (const uint8_t *)"C", 1);
    ASSERT_STR_EQ(rec.log, "cC(0) ");
    free(p);
}

int
main(void)
{
    vtparse_init(&vp, &cbs, &rec);
    test_states();
    test_utf8();
    test_utf8_against_glibc();
    test_fast_equals_slow();
    test_hostile();
    vtparse_fini(&vp);
    return TEST_DONE();
}
