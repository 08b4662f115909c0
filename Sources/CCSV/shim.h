#ifndef TIERWISE_CCSV_SHIM_H
#define TIERWISE_CCSV_SHIM_H
#include <stddef.h>
#include <csv.h>
#endif
