// Typed wrappers for libcurl's variadic setters, which Swift cannot call directly.
#ifndef MINZHENG_CCURL_SHIM_H
#define MINZHENG_CCURL_SHIM_H
#include <curl/curl.h>
#include <sys/prctl.h>

static inline CURLcode mz_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mz_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mz_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mz_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mz_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*mz_write_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode mz_easy_setopt_write(CURL *handle, CURLoption option, mz_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

typedef int (*mz_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port, int local_port);
static inline CURLcode mz_easy_setopt_prereq(CURL *handle, mz_prereq_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, callback);
}

static inline CURLcode mz_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode mz_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode mz_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode mz_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// Names the calling thread as `top -H` and /proc show it (at most 15 bytes). Foundation's `Thread.name` does
/// not reach the system on Linux.
static inline void mz_name_this_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
#endif
