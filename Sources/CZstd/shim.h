#ifndef MODELBUNDLE_CZSTD_SHIM_H
#define MODELBUNDLE_CZSTD_SHIM_H
#include <zstd.h>
#endif
