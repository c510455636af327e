/* <errno.h>: errno is per goroutine (a goroutine may move between threads
 * at any blocking call, so a thread-local one would be wrong), kept in the
 * runtime's G. The values are Linux's, the same on every target here. */
#ifndef _RT_ERRNO_H
#define _RT_ERRNO_H

#ifdef __cplusplus
extern "C" {
#endif

/* The running goroutine's errno. */
int *__errno_location(void) __attribute__((const));
#define errno (*__errno_location())

#ifdef __cplusplus
}
#endif

#define EPERM            1
#define ENOENT           2
#define ESRCH            3
#define EINTR            4
#define EIO              5
#define ENXIO            6
#define E2BIG            7
#define ENOEXEC          8
#define EBADF            9
#define ECHILD           10
#define EAGAIN           11
#define ENOMEM           12
#define EACCES           13
#define EFAULT           14
#define ENOTBLK          15
#define EBUSY            16
#define EEXIST           17
#define EXDEV            18
#define ENODEV           19
#define ENOTDIR          20
#define EISDIR           21
#define EINVAL           22
#define ENFILE           23
#define EMFILE           24
#define ENOTTY           25
#define ETXTBSY          26
#define EFBIG            27
#define ENOSPC           28
#define ESPIPE           29
#define EROFS            30
#define EMLINK           31
#define EPIPE            32
#define EDOM             33
#define ERANGE           34
#define EDEADLK          35
#define ENAMETOOLONG     36
#define ENOLCK           37
#define ENOSYS           38
#define ENOTEMPTY        39
#define ELOOP            40
#define EWOULDBLOCK      EAGAIN
#define ENOMSG           42
#define ENODATA          61
#define ETIME            62
#define EPROTO           71
#define EOVERFLOW        75
#define EILSEQ           84
#define ENOTSOCK         88
#define EDESTADDRREQ     89
#define EMSGSIZE         90
#define EPROTOTYPE       91
#define ENOPROTOOPT      92
#define EPROTONOSUPPORT  93
#define EOPNOTSUPP       95
#define ENOTSUP          EOPNOTSUPP
#define EAFNOSUPPORT     97
#define EADDRINUSE       98
#define EADDRNOTAVAIL    99
#define ENETDOWN         100
#define ENETUNREACH      101
#define ECONNABORTED     103
#define ECONNRESET       104
#define ENOBUFS          105
#define EISCONN          106
#define ENOTCONN         107
#define ETIMEDOUT        110
#define ECONNREFUSED     111
#define EHOSTUNREACH     113
#define EALREADY         114
#define EINPROGRESS      115
#define ECANCELED        125

#endif /* _RT_ERRNO_H */
