/* json.h: one-line JSON objects (NDJSON) built in memory, then written whole. */
#ifndef SOCKT_JSON_H
#define SOCKT_JSON_H

#include <stddef.h>
#include <stdint.h>

struct json {
	char *buf;
	size_t len, cap;
	int need_comma;
	int failed; /* an allocation failed; json_write reports ENOMEM */
};

void json_init(struct json *);
void json_free(struct json *);
void json_object_begin(struct json *);
void json_object_end(struct json *);
/* An object as the value of key (an object inside an object). */
void json_object_begin_key(struct json *, const char *key);
void json_array_begin(struct json *, const char *key);
void json_array_end(struct json *);
/* key may be NULL inside an array. */
void json_string(struct json *, const char *key, const char *);
void json_string_len(struct json *, const char *key, const void *, size_t);
void json_int(struct json *, const char *key, long long);
void json_double(struct json *, const char *key, double, int decimals);
void json_bool(struct json *, const char *key, int);
void json_null(struct json *, const char *key);
void json_base64(struct json *, const char *key, const void *, size_t);
/* Writes the object and a newline to stdout; 0 or -1 with errno. */
int json_write(struct json *);
/* The same to fd (a --dump file), stdout's buffer left alone. */
int json_write_fd(struct json *, int fd);

/* Whether the bytes are valid UTF-8 (no overlongs, no surrogates). */
int json_utf8_valid(const void *, size_t);

#endif
