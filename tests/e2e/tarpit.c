/* SPDX-License-Identifier: GPL-3.0-or-later */
/* e2e_tarpit: a TCP port on 127.0.0.1 where connect(2) hangs, for ConnectTimeout tests
 * without a black-hole route. It listens with a backlog of 0 and fills that backlog with
 * one connection of its own, so further handshakes are never completed. Prints the port
 * on stdout, then waits until it is killed (or for 10 minutes at most).
 * Exit status: 1 on a set-up error. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(l, 0) != 0 || getsockname(l, (struct sockaddr *)&a, &alen) != 0 ||
        connect(c, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("e2e_tarpit");
        return 1;
    }
    printf("%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    sleep(600);
    return 0;
}
