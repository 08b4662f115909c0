#ifndef TIERWISE_CSYSSHIMS_H
#define TIERWISE_CSYSSHIMS_H
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

/* Atomically swaps two paths (Linux renameat2 with RENAME_EXCHANGE). syscall() is
   variadic and renameat2 needs _GNU_SOURCE, so Swift cannot call either directly.
   Returns 0, or -1 with errno set (EINVAL or ENOSYS where the file system cannot). */
static inline int CSysShims_renameExchange(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1 << 1);
#else
    return -1;
#endif
}

/* Sets the calling thread's nice value (Linux: setpriority on the thread's id, which only
   that thread has; gettid needs _GNU_SOURCE and syscall() is variadic, so Swift can call
   neither). Returns 0, or -1 with errno set. */
static inline int CSysShims_setThreadNice(int nice) {
#ifdef SYS_gettid
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#else
    (void)nice;
    return 0;
#endif
}

/* Starts writing a file's dirty pages in [offset, offset + count) to disk and returns
   without waiting (Linux sync_file_range with SYNC_FILE_RANGE_WRITE), so that the fsync
   at the end finds most of the file written. glibc declares it only under _GNU_SOURCE.
   Returns 0, or -1 with errno set; a no-op where the call does not exist. */
static inline int CSysShims_startWriteback(int fd, int64_t offset, int64_t count) {
#ifdef SYS_sync_file_range
    return (int)syscall(SYS_sync_file_range, fd, (long)offset, (long)count, 2L);
#else
    (void)fd; (void)offset; (void)count;
    return 0;
#endif
}

/* 1 if this CPU has the x86 SHA extensions (CPUID leaf 7 EBX bit 29) and the SSSE3 and
   SSE4.1 shuffles that CSysShims_sha256Blocks uses (leaf 1 ECX bits 9 and 19), else 0;
   always 0 off x86-64. Reads CPUID directly rather than __builtin_cpu_supports, which
   needs __cpu_model from libgcc or compiler-rt at link time. */
static inline int CSysShims_hasSHANI(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return ssse3 && sse41 && ((ebx >> 29) & 1);
#else
    return 0;
#endif
}

#if defined(__x86_64__)
/* SHA-256 compression of `count` consecutive 64-byte blocks at `data` (any alignment) into
   `state` (H0...H7, native order), with the SHA-NI instructions: several times the speed
   of the portable Swift loop in SHA256.swift, which stays the reference and the path on
   other CPUs. Call only where CSysShims_hasSHANI() returned 1. Compiled by Swift's clang
   importer; the target attribute lets it use SHA-NI without -msha for the whole module.
   The usual public-domain arrangement (Intel's sample code by Sean Gulley): the state is
   held as ABEF and CDGH, each SHA256RNDS2 does two rounds, MSG1 and MSG2 extend the
   message schedule four words at a time. `k` is the 64 round constants (SHA256.swift's
   table, so the constants are written once). */
__attribute__((target("sha,sse4.1,ssse3")))
static inline void CSysShims_sha256Blocks(uint32_t *state, const void *data, size_t count, const uint32_t *k) {
    /* Big-endian words to native: reverse the bytes of each 32-bit lane. */
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    const uint8_t *p = (const uint8_t *)data;

    /* H0...H7 to the register layout SHA256RNDS2 wants: lanes 3...0 = A B E F and C D G H. */
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    /* Four rounds t...t+3 with schedule words m: RNDS2 takes W+K for two rounds in the
       low half of its third operand, so the high half is moved down for the second pair. */
#define CSYSSHIMS_ROUNDS4(m, t) do { \
        __m128i wk = _mm_add_epi32((m), _mm_loadu_si128((const __m128i *)&k[(t)])); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk); \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E)); \
    } while (0)
    /* W[t...t+3] from m0 = W[t-16...t-13], m1 = W[t-12...t-9], m2 = W[t-8...t-5] and
       m3 = W[t-4...t-1], written over m0: MSG1 adds sigma0, the alignr supplies
       W[t-7...t-4], MSG2 adds sigma1 (of words it has just made, for the upper two). */
#define CSYSSHIMS_SCHEDULE(m0, m1, m2, m3) do { \
        (m0) = _mm_sha256msg2_epu32( \
            _mm_add_epi32(_mm_sha256msg1_epu32((m0), (m1)), _mm_alignr_epi8((m3), (m2), 4)), (m3)); \
    } while (0)

    for (size_t block = 0; block < count; block++, p += 64) {
        const __m128i abefSaved = abef, cdghSaved = cdgh;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), byteSwap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), byteSwap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), byteSwap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), byteSwap);
        CSYSSHIMS_ROUNDS4(m0, 0);
        CSYSSHIMS_ROUNDS4(m1, 4);
        CSYSSHIMS_ROUNDS4(m2, 8);
        CSYSSHIMS_ROUNDS4(m3, 12);
        /* Rounds 16...63: three passes of the same four-step rotation (the compiler unrolls it). */
        for (int t = 16; t < 64; t += 16) {
            CSYSSHIMS_SCHEDULE(m0, m1, m2, m3); CSYSSHIMS_ROUNDS4(m0, t);
            CSYSSHIMS_SCHEDULE(m1, m2, m3, m0); CSYSSHIMS_ROUNDS4(m1, t + 4);
            CSYSSHIMS_SCHEDULE(m2, m3, m0, m1); CSYSSHIMS_ROUNDS4(m2, t + 8);
            CSYSSHIMS_SCHEDULE(m3, m0, m1, m2); CSYSSHIMS_ROUNDS4(m3, t + 12);
        }
        abef = _mm_add_epi32(abef, abefSaved);
        cdgh = _mm_add_epi32(cdgh, cdghSaved);
    }
#undef CSYSSHIMS_ROUNDS4
#undef CSYSSHIMS_SCHEDULE

    /* Back to H0...H7. */
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}
#endif
/* Asks the CPU to start loading the cache line at `p` for writing, without waiting for it:
   ingest's fold knows a few rows ahead which customer record it will update next. */
static inline void CSysShims_prefetchForWrite(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

/* Splits one CSV record at each `delim`, 16 bytes at a time, when it holds none of the bytes
   that need more than a split: a quote, CR, LF, NUL, or a space or tab (which the CSV reader
   trims around fields) other than the delimiter. Writes the start and end offsets of the
   first `max` fields and returns how many fields the record has; returns -1, having written
   nothing useful, when one of those bytes is there, and the caller's general path reads it. */
static inline long CSysShims_splitPlainRecord(const uint8_t *p, long n, uint8_t delim, long *starts, long *ends, long max) {
#if defined(__x86_64__)
    const __m128i vd = _mm_set1_epi8((char)delim);
    const __m128i vq = _mm_set1_epi8('"'), vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
    const __m128i vz = _mm_setzero_si128();
    /* A space or tab that is the delimiter is no blank; a quote in its place matches nothing new. */
    const __m128i vsp = _mm_set1_epi8(delim == ' ' ? '"' : ' '), vtab = _mm_set1_epi8(delim == '\t' ? '"' : '\t');
    long seen = 0, start = 0;
    for (long i = 0; i < n; i += 16) {
        __m128i v;
        /* Bit k of the masks stands for byte i + k - shift. */
        int shift = 0;
        if (n - i >= 16) {
            v = _mm_loadu_si128((const __m128i *)(p + i));
        } else if (n >= 16) {
            /* The last bytes: the 16 that end the record, of which the first were seen already. */
            shift = (int)(16 - (n - i));
            v = _mm_loadu_si128((const __m128i *)(p + n - 16));
        } else {
            /* A record shorter than 16 bytes goes through a copy: no read past its end. */
            uint8_t tail[16] = {0};
            for (long k = 0; k < n; k++) tail[k] = p[k];
            v = _mm_loadu_si128((const __m128i *)tail);
        }
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vcr)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, vlf), _mm_cmpeq_epi8(v, vz)));
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpeq_epi8(v, vsp), _mm_cmpeq_epi8(v, vtab)));
        unsigned valid = n >= 16 ? 0xFFFFu : (1u << n) - 1;
        if (((unsigned)_mm_movemask_epi8(bad) & valid) >> shift) return -1;
        unsigned d = ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd)) & valid) >> shift;
        while (d) {
            long at = i + __builtin_ctz(d);
            if (seen < max) { starts[seen] = start; ends[seen] = at; }
            seen++;
            start = at + 1;
            d &= d - 1;
        }
    }
    if (seen < max) { starts[seen] = start; ends[seen] = n; }
    return seen + 1;
#else
    (void)p; (void)n; (void)delim; (void)starts; (void)ends; (void)max;
    return -1;
#endif
}

/* Finds the line feeds of a stretch of CSV text, 16 bytes at a time, up to its first quote
   or CR (from there the caller follows the quoting byte by byte). Writes the offset of every
   LF before that point, in order, into `ends` (room for `n`), puts the point's offset (n when
   the stretch has no quote and no CR) into `stop`, and returns how many LFs there are. */
static inline long CSysShims_lineEnds(const uint8_t *p, long n, long *ends, long *stop) {
    long found = 0, i = 0;
#if defined(__x86_64__)
    const __m128i vq = _mm_set1_epi8('"'), vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vlf));
        unsigned q = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vcr)));
        if (q) {
            unsigned first = (unsigned)__builtin_ctz(q);
            m &= (1u << first) - 1;
            while (m) {
                ends[found++] = i + __builtin_ctz(m);
                m &= m - 1;
            }
            *stop = i + first;
            return found;
        }
        while (m) {
            ends[found++] = i + __builtin_ctz(m);
            m &= m - 1;
        }
    }
#endif
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\r') { *stop = i; return found; }
        if (c == '\n') ends[found++] = i;
    }
    *stop = n;
    return found;
}

/* Gives free heap memory of every malloc arena back to the system (glibc only). */
#if defined(__GLIBC__)
#include <malloc.h>
static inline void CSysShims_releaseFreeMemory(void) { malloc_trim(0); }
/* Blocks of at least `bytes` get their own mapping, given back to the system when freed;
   a fixed threshold also stops glibc from raising it after each large free. Up to `bytes`
   of free memory at the top of a heap are kept rather than given back at once. */
static inline void CSysShims_mapAllocationsFrom(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
    mallopt(M_TRIM_THRESHOLD, bytes);
}
#else
static inline void CSysShims_releaseFreeMemory(void) {}
static inline void CSysShims_mapAllocationsFrom(int bytes) { (void)bytes; }
#endif

#endif
