// FLYTEC_SANITIZED is 1 in builds with AddressSanitizer (GCC or clang), else 0.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define FLYTEC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLYTEC_SANITIZED 1
#endif
#endif
#ifndef FLYTEC_SANITIZED
#define FLYTEC_SANITIZED 0
#endif
