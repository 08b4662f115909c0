#ifndef TIERWISE_CZLIB_SHIM_H
#define TIERWISE_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 and deflateInit2 are macros; Swift cannot call macros. */
static inline int CZlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
static inline int CZlib_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
