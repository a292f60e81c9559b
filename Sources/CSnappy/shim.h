#ifndef MODELBUNDLE_CSNAPPY_SHIM_H
#define MODELBUNDLE_CSNAPPY_SHIM_H
#include <snappy-c.h>
#endif
