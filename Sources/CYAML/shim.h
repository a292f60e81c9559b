#ifndef MODELBUNDLE_CYAML_SHIM_H
#define MODELBUNDLE_CYAML_SHIM_H
#include <yaml.h>
#endif
