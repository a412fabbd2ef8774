/*
 * Pins the few glibc symbols whose default version on the build machine (Debian 12, glibc 2.36)
 * is newer than provided.al2023's glibc 2.34, so that the Lambda bootstrap loads there.
 *
 * Each definition is hidden: it satisfies the references of the objects linked into the
 * bootstrap (the static Swift runtime, Foundation, swift-numerics, the static libstdc++) and is
 * not exported, so nothing else is interposed. Linked by scripts/build-lambda.sh and
 * `infra-monitor deploy package` (Sources/Deploy/LambdaPackage.swift).
 *
 * - hypot, hypotf: glibc 2.35 added new default versions (GLIBC_2.35) beside the old ones; the
 *   old entry points are still exported by every glibc, with the same results for finite input.
 * - arc4random: added in glibc 2.36 and used by GCC 12's static libstdc++ (std::random_device);
 *   getrandom(2) (GLIBC_2.25) gives the same kernel randomness.
 */
#include <stddef.h>
#include <sys/random.h>

#if defined(__x86_64__)
#define INFRA_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define INFRA_GLIBC_BASE "GLIBC_2.17"
#else
#error "provided.al2023 runs x86_64 and arm64 only"
#endif

extern double infra_hypot_base(double, double);
extern float infra_hypotf_base(float, float);
__asm__(".symver infra_hypot_base, hypot@" INFRA_GLIBC_BASE);
__asm__(".symver infra_hypotf_base, hypotf@" INFRA_GLIBC_BASE);

__attribute__((visibility("hidden"))) double hypot(double x, double y) { return infra_hypot_base(x, y); }

__attribute__((visibility("hidden"))) float hypotf(float x, float y) { return infra_hypotf_base(x, y); }

__attribute__((visibility("hidden"))) unsigned int arc4random(void) {
    unsigned int value;
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {
    }
    return value;
}
