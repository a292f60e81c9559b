#ifndef MODELBUNDLE_CARCHIVE_SHIM_H
#define MODELBUNDLE_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
