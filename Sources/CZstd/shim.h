#ifndef TIERWISE_CZSTD_SHIM_H
#define TIERWISE_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>
#endif
