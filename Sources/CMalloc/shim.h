/* glibc's malloc tuning (mallopt), for the infra-monitor executable. */
#include <malloc.h>
