/* What libcboxlab exports. The library is built with -fvisibility=hidden:
 * a function is exported only when its declaration says so, with
 * CBX_PUBLIC, or by being in lab/cboxlab.h (all of it is). Exported names
 * are cbx_* and lab_* (make check-symbols). */
#ifndef CBX_PUBLIC_H
#define CBX_PUBLIC_H

#define CBX_PUBLIC __attribute__((visibility("default")))

#endif
