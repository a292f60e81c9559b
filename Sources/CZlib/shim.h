#ifndef MODELBUNDLE_CZLIB_SHIM_H
#define MODELBUNDLE_CZLIB_SHIM_H
#include <zlib.h>
#endif
