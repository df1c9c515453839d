// chatmigrate's native fast path: a block of member records judged, serialized and hashed in
// one call, straight from their bytes (see src/record/native-scan.ts for how it is used).
//
// It is the same contract as src/record/scan-member.ts, in C++: a record it marks as handled is
// one that JSON.parse + validateMember would accept with exactly the canonical JSON and memberId
// it wrote; everything else is left to the JavaScript paths, which decide and explain. It only
// handles records whose bytes are all ASCII, written without escapes, nulls, fractions,
// exponents, unknown or repeated keys, metadata or tags. The hashes are the ones
// src/dedupe/fingerprint.ts computes (MurmurHash3 x86 128 of the memberId's UTF-16LE bytes, the
// 16-bit content digest of the JSON's UTF-16 code units): for ASCII text a code unit is a byte.
// test/record-native.test.ts holds it against the JavaScript paths record by record.

#include <node_api.h>

#include <cstdint>
#include <cstring>

namespace {

constexpr uint32_t kFail = 0xFFFFFFFFu;
constexpr int kWordsPerRecord = 7;  // record-block.ts: WORDS_PER_RECORD
constexpr uint32_t kNameChars = 100;
constexpr uint32_t kUrlChars = 3000;
constexpr uint32_t kPasswordChars = 100;
constexpr uint32_t kMaxIdChars = 100;
constexpr int64_t kMinSeconds = 1000000000LL;
constexpr int64_t kMaxSeconds = 9999999999LL;
constexpr int64_t kMsThreshold = 100000000000LL;

struct Span {
  uint32_t start = 0;
  uint32_t len = 0;
  bool present = false;
};

/** A 10-digit timestamp text. */
struct Stamp {
  char text[10];
  bool present = false;
};

struct Record {
  Span memberId, guid, uid;
  int scope = 0;    // 0 participant, 1 admin, 2 moderator
  int banned = -1;  // -1 absent, 0 false, 1 true
  Stamp joined;
  bool hasGroup = false;
  Span gGuid, gName, gOwner, gIcon, gPassword;
  int gType = -1;  // -1 absent, 0 public, 1 private, 2 password
  Stamp gCreated;
  bool hasUser = false;
  Span uUid, uName, uAvatar, uLink, uRole;
  Stamp uCreated, uLast, uDeactivated;
};

class Scanner {
 public:
  Scanner(const uint8_t* bytes, uint32_t length) : b_(bytes), n_(length) {}

  /** Reads the whole record; false when the JavaScript paths must decide. */
  bool Read(Record& r) {
    for (uint32_t i = 0; i < n_; i++) {
      if (b_[i] >= 0x80) return false;  // ASCII only: no decoding or character counting here
    }
    static const char* const kKeys[] = {"guid", "uid", "memberId", "joinedAt", "scope", "isBanned", "groupDetails", "userDetails"};
    const uint32_t end = Object(Space(0), kKeys, 8, [&](int key, uint32_t i) {
      switch (key) {
        case 0: return Id(i, r.guid);
        case 1: return Id(i, r.uid);
        case 2: return Str(i, r.memberId);
        case 3: return Timestamp(i, r.joined);
        case 4: return ScopeValue(i, r.scope);
        case 5: return Boolean(i, r.banned);
        case 6: r.hasGroup = true; return Group(i, r);
        default: r.hasUser = true; return User(i, r);
      }
    });
    return end != kFail && Space(end) == n_;
  }

  const uint8_t* bytes() const { return b_; }

 private:
  const uint8_t* b_;
  uint32_t n_;

  int At(uint32_t i) const { return i < n_ ? b_[i] : -1; }

  uint32_t Space(uint32_t i) const {
    while (i < n_ && (b_[i] == ' ' || b_[i] == '\n' || b_[i] == '\r' || b_[i] == '\t')) i++;
    return i;
  }

  bool Key(uint32_t start, uint32_t len, const char* name) const {
    return std::strlen(name) == len && std::memcmp(b_ + start, name, len) == 0;
  }

  /** The closing quote of a key without escapes or control characters, or kFail. */
  uint32_t KeyEnd(uint32_t i) const {
    for (; i < n_; i++) {
      const uint8_t c = b_[i];
      if (c == '"') return i;
      if (c == '\\' || c < 0x20) return kFail;
    }
    return kFail;
  }

  uint32_t AfterColon(uint32_t i) const {
    i = Space(i);
    if (At(i) != ':') return kFail;
    return Space(i + 1);
  }

  /**
   * An object at i whose keys are all among `keys` (each at most once): `value(k, at)` reads the
   * value of keys[k] at `at` and returns the position after it (kFail to give up). The position
   * after the object, or kFail; an empty object gives up (no member, group or user is valid
   * without fields).
   */
  template <typename ReadValue>
  uint32_t Object(uint32_t i, const char* const* keys, int keyCount, ReadValue value) const {
    if (At(i) != '{') return kFail;
    unsigned seen = 0;
    for (i = Space(i + 1);;) {
      if (At(i) != '"') return kFail;
      const uint32_t start = i + 1;
      const uint32_t end = KeyEnd(start);
      if (end == kFail) return kFail;
      int key = 0;
      while (key < keyCount && !Key(start, end - start, keys[key])) key++;
      if (key == keyCount || (seen & (1u << key)) != 0) return kFail;
      seen |= 1u << key;
      i = AfterColon(end + 1);
      if (i == kFail) return kFail;
      i = value(key, i);
      if (i == kFail) return kFail;
      i = Space(i);
      const int c = At(i);
      if (c == '}') return i + 1;
      if (c != ',') return kFail;
      i = Space(i + 1);
    }
  }

  /** A string value without escapes or control characters: its content's span; the position after it. */
  uint32_t Str(uint32_t i, Span& out) const {
    if (At(i) != '"') return kFail;
    const uint32_t start = i + 1;
    for (i = start; i < n_; i++) {
      const uint8_t c = b_[i];
      if (c == '"') {
        out.start = start;
        out.len = i - start;
        out.present = true;
        return i + 1;
      }
      if (c == '\\' || c < 0x20) return kFail;
    }
    return kFail;
  }

  /** A string of at most `limit` characters (ASCII: bytes). */
  uint32_t Limited(uint32_t i, Span& out, uint32_t limit) const {
    i = Str(i, out);
    return i != kFail && out.len <= limit ? i : kFail;
  }

  /** A name: at most 100 characters with something besides spaces (hasText; controls were refused). */
  uint32_t Name(uint32_t i, Span& out) const {
    i = Limited(i, out, kNameChars);
    if (i == kFail) return kFail;
    for (uint32_t k = 0; k < out.len; k++) {
      if (b_[out.start + k] != ' ') return i;
    }
    return kFail;
  }

  /** An id: 1-100 of [A-Za-z0-9_-] (canonicalId: lowercased when written). */
  uint32_t Id(uint32_t i, Span& out) const {
    i = Str(i, out);
    if (i == kFail || out.len == 0 || out.len > kMaxIdChars) return kFail;
    for (uint32_t k = 0; k < out.len; k++) {
      const uint8_t c = b_[out.start + k];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return kFail;
    }
    return i;
  }

  uint32_t ScopeValue(uint32_t i, int& scope) const {
    Span s;
    i = Str(i, s);
    if (i == kFail) return kFail;
    // normalizeScope: the exact value, else its lowercase, against the synonyms.
    char lower[16];
    if (s.len == 0 || s.len >= sizeof lower) return kFail;
    for (uint32_t k = 0; k < s.len; k++) {
      const uint8_t c = b_[s.start + k];
      lower[k] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    const auto is = [&](const char* name) { return std::strlen(name) == s.len && std::memcmp(lower, name, s.len) == 0; };
    if (is("participant") || is("member") || is("user")) scope = 0;
    else if (is("admin") || is("owner") || is("administrator")) scope = 1;
    else if (is("moderator") || is("mod")) scope = 2;
    else return kFail;
    return i;
  }

  uint32_t Boolean(uint32_t i, int& out) const {
    if (i + 4 <= n_ && std::memcmp(b_ + i, "true", 4) == 0) {
      out = 1;
      return i + 4;
    }
    if (i + 5 <= n_ && std::memcmp(b_ + i, "false", 5) == 0) {
      out = 0;
      return i + 5;
    }
    return kFail;
  }

  /** A JSON integer of 1-15 digits (no sign, fraction, exponent or leading zero): its end, and its value. */
  uint32_t Integer(uint32_t i, int64_t& value) const {
    const uint32_t first = i;
    value = 0;
    while (i < n_ && b_[i] >= '0' && b_[i] <= '9') value = value * 10 + (b_[i++] - '0');
    const uint32_t digits = i - first;
    if (digits == 0 || digits > 15 || (digits > 1 && b_[first] == '0')) return kFail;
    const int next = At(i);
    if (next == '.' || next == 'e' || next == 'E') return kFail;
    return i;
  }

  static bool ToStamp(int64_t seconds, Stamp& out) {
    if (seconds < kMinSeconds || seconds > kMaxSeconds) return false;
    for (int k = 9; k >= 0; k--) {
      out.text[k] = static_cast<char>('0' + seconds % 10);
      seconds /= 10;
    }
    out.present = true;
    return true;
  }

  /** fromNumber for a non-negative integer: seconds, or milliseconds from 1e11 on. */
  static int64_t FromNumber(int64_t n) { return n >= kMsThreshold ? n / 1000 : n; }

  /**
   * A timestamp: an integer (seconds or ms), a string of 10 digits, of 1-15 digits, or of a
   * common ISO-8601 date-time, or {"$date": common ISO string | integer ms}. toTimestampText's
   * conversions, for these forms only.
   */
  uint32_t Timestamp(uint32_t i, Stamp& out) const {
    const int c = At(i);
    if (c == '"') {
      Span s;
      i = Str(i, s);
      if (i == kFail) return kFail;
      const uint8_t* t = b_ + s.start;
      bool digitsOnly = s.len > 0;
      for (uint32_t k = 0; k < s.len && digitsOnly; k++) digitsOnly = t[k] >= '0' && t[k] <= '9';
      if (digitsOnly) {
        // "1673421419" as it is; other digit strings are numbers (Number(text)), leading zeros left to JS.
        if (s.len > 15 || t[0] == '0') return kFail;
        int64_t n = 0;
        for (uint32_t k = 0; k < s.len; k++) n = n * 10 + (t[k] - '0');
        return ToStamp(FromNumber(n), out) ? i : kFail;
      }
      int64_t seconds;
      return CommonIso(t, s.len, seconds) && ToStamp(seconds, out) ? i : kFail;
    }
    if (c == '{') {
      i = Space(i + 1);
      if (i + 7 > n_ || std::memcmp(b_ + i, "\"$date\"", 7) != 0) return kFail;
      i = AfterColon(i + 7);
      if (i == kFail) return kFail;
      int64_t seconds;
      if (At(i) == '"') {
        // parseUnixSeconds: a $date string is ISO text only (never a number).
        Span s;
        i = Str(i, s);
        if (i == kFail || !CommonIso(b_ + s.start, s.len, seconds)) return kFail;
      } else {
        int64_t ms;
        i = Integer(i, ms);
        if (i == kFail) return kFail;
        seconds = ms / 1000;  // a $date number is always milliseconds
      }
      i = Space(i);
      if (At(i) != '}' || !ToStamp(seconds, out)) return kFail;
      return i + 1;
    }
    int64_t n;
    i = Integer(i, n);
    return i != kFail && ToStamp(FromNumber(n), out) ? i : kFail;
  }

  static int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }

  static bool Digits(const uint8_t* t, int count, int& value) {
    value = 0;
    for (int k = 0; k < count; k++) {
      if (t[k] < '0' || t[k] > '9') return false;
      value = value * 10 + (t[k] - '0');
    }
    return true;
  }

  /**
   * timestamps.ts fromCommonIso, for text without surrounding space: YYYY-MM-DD, T/t/space,
   * HH:MM:SS, an optional [.,]digits fraction, then Z/z, ±HH:MM or nothing. False for any other
   * shape (the JavaScript path then decides, with the full ISO rules).
   */
  static bool CommonIso(const uint8_t* t, uint32_t n, int64_t& seconds) {
    if (n < 19 || n > 64) return false;
    int year, month, day, hour, minute, second;
    if (!Digits(t, 4, year) || t[4] != '-' || !Digits(t + 5, 2, month) || t[7] != '-' || !Digits(t + 8, 2, day)) return false;
    if (!(t[10] == 'T' || t[10] == 't' || t[10] == ' ')) return false;
    if (!Digits(t + 11, 2, hour) || t[13] != ':' || !Digits(t + 14, 2, minute) || t[16] != ':' || !Digits(t + 17, 2, second)) return false;
    if (year < 1000 || hour > 23 || minute > 59 || second > 59 || month < 1 || month > 12 || day < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (day > (month == 2 && leap ? 29 : kDays[month - 1])) return false;
    uint32_t i = 19;
    if (i < n && (t[i] == '.' || t[i] == ',')) {
      const uint32_t from = ++i;
      while (i < n && t[i] >= '0' && t[i] <= '9') i++;
      if (i == from) return false;
    }
    int offsetMinutes = 0;
    if (i < n) {
      if ((t[i] == 'Z' || t[i] == 'z') && i + 1 == n) {
        offsetMinutes = 0;
      } else if ((t[i] == '+' || t[i] == '-') && i + 6 == n) {
        int oh, om;
        if (!Digits(t + i + 1, 2, oh) || t[i + 3] != ':' || !Digits(t + i + 4, 2, om) || oh > 23 || om > 59) return false;
        offsetMinutes = (t[i] == '-' ? -1 : 1) * (oh * 60 + om);
      } else {
        return false;
      }
    }
    seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
    return true;
  }

  uint32_t Group(uint32_t i, Record& r) const {
    static const char* const kKeys[] = {"guid", "name", "type", "owner", "createdAt", "icon", "password"};
    return Object(i, kKeys, 7, [&](int key, uint32_t at) {
      switch (key) {
        case 0: return Id(at, r.gGuid);
        case 1: return Name(at, r.gName);
        case 2: return GroupType(at, r.gType);
        case 3: return Id(at, r.gOwner);
        case 4: return Timestamp(at, r.gCreated);
        case 5: return Limited(at, r.gIcon, kUrlChars);
        default: return Limited(at, r.gPassword, kPasswordChars);
      }
    });
  }

  uint32_t GroupType(uint32_t i, int& type) const {
    Span s;
    i = Str(i, s);
    if (i == kFail) return kFail;
    char lower[8];
    if (s.len < 6 || s.len > 8) return kFail;
    for (uint32_t k = 0; k < s.len; k++) {
      const uint8_t c = b_[s.start + k];
      lower[k] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (s.len == 6 && std::memcmp(lower, "public", 6) == 0) type = 0;
    else if (s.len == 7 && std::memcmp(lower, "private", 7) == 0) type = 1;
    else if (s.len == 8 && std::memcmp(lower, "password", 8) == 0) type = 2;
    else return kFail;
    return i;
  }

  uint32_t User(uint32_t i, Record& r) const {
    static const char* const kKeys[] = {"uid", "name", "avatar", "link", "role", "createdAt", "lastActiveAt", "deactivatedAt"};
    return Object(i, kKeys, 8, [&](int key, uint32_t at) {
      switch (key) {
        case 0: return Id(at, r.uUid);
        case 1: return Name(at, r.uName);
        case 2: return Limited(at, r.uAvatar, kUrlChars);
        case 3: return Limited(at, r.uLink, kUrlChars);
        case 4: return Str(at, r.uRole);
        case 5: return Timestamp(at, r.uCreated);
        case 6: return Timestamp(at, r.uLast);
        default: return Timestamp(at, r.uDeactivated);
      }
    });
  }
};

/** An output buffer that refuses (sets ok = false) instead of overflowing. */
struct Out {
  uint8_t* p;
  size_t cap;
  size_t len;
  bool ok = true;
  void Put(const char* s, size_t n) {
    if (!ok || len + n > cap) {
      ok = false;
      return;
    }
    std::memcpy(p + len, s, n);
    len += n;
  }
  void Put(const char* s) { Put(s, std::strlen(s)); }
  void PutSpan(const uint8_t* b, const Span& s) { Put(reinterpret_cast<const char*>(b + s.start), s.len); }
  /** An id, lowercased. */
  void PutId(const uint8_t* b, const Span& s) {
    if (!ok || len + s.len > cap) {
      ok = false;
      return;
    }
    for (uint32_t k = 0; k < s.len; k++) {
      const uint8_t c = b[s.start + k];
      p[len + k] = c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
    len += s.len;
  }
};

bool SameId(const uint8_t* b, const Span& x, const Span& y) {
  if (x.len != y.len) return false;
  for (uint32_t k = 0; k < x.len; k++) {
    uint8_t c = b[x.start + k], d = b[y.start + k];
    if (c >= 'A' && c <= 'Z') c += 32;
    if (d >= 'A' && d <= 'Z') d += 32;
    if (c != d) return false;
  }
  return true;
}

/** `text` equals `canonical` exactly, or once its ASCII capitals are lowered (the memberId/key rule). */
bool MatchesLowered(const uint8_t* text, size_t n, const uint8_t* canonical, size_t m) {
  if (n != m) return false;
  for (size_t k = 0; k < n; k++) {
    uint8_t c = text[k];
    if (c >= 'A' && c <= 'Z') c += 32;
    if (c != canonical[k]) return false;
  }
  return true;
}

inline uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
inline uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/** The i-th 32-bit word of an ASCII text's UTF-16 code units (unit 2i low, 2i+1 high; 0 past the end). */
inline uint32_t Word(const uint8_t* t, size_t n, size_t i) {
  const size_t u = 2 * i;
  return (u < n ? t[u] : 0u) | ((u + 1 < n ? t[u + 1] : 0u) << 16);
}

/** fingerprint.ts fingerprint128 of an ASCII text. */
void Fingerprint128(const uint8_t* t, size_t n, uint32_t out[4]) {
  constexpr uint32_t c1 = 0x239b961b, c2 = 0xab0e9789, c3 = 0x38b34ae5, c4 = 0xa1e38b93;
  uint32_t h1 = 0, h2 = 0, h3 = 0, h4 = 0;
  const size_t wordCount = (n + 1) / 2;
  const size_t blockEnd = (n >> 3) << 2;
  size_t i = 0;
  for (; i < blockEnd; i += 4) {
    uint32_t k1 = Word(t, n, i), k2 = Word(t, n, i + 1), k3 = Word(t, n, i + 2), k4 = Word(t, n, i + 3);
    k1 *= c1; k1 = Rotl(k1, 15); k1 *= c2; h1 ^= k1;
    h1 = Rotl(h1, 19); h1 += h2; h1 = h1 * 5 + 0x561ccd1b;
    k2 *= c2; k2 = Rotl(k2, 16); k2 *= c3; h2 ^= k2;
    h2 = Rotl(h2, 17); h2 += h3; h2 = h2 * 5 + 0x0bcaa747;
    k3 *= c3; k3 = Rotl(k3, 17); k3 *= c4; h3 ^= k3;
    h3 = Rotl(h3, 15); h3 += h4; h3 = h3 * 5 + 0x96cd1c35;
    k4 *= c4; k4 = Rotl(k4, 18); k4 *= c1; h4 ^= k4;
    h4 = Rotl(h4, 13); h4 += h1; h4 = h4 * 5 + 0x32ac3b17;
  }
  const size_t rest = wordCount - i;
  if (rest > 0) {
    if (rest > 3) { uint32_t k4 = Word(t, n, i + 3); k4 *= c4; k4 = Rotl(k4, 18); k4 *= c1; h4 ^= k4; }
    if (rest > 2) { uint32_t k3 = Word(t, n, i + 2); k3 *= c3; k3 = Rotl(k3, 17); k3 *= c4; h3 ^= k3; }
    if (rest > 1) { uint32_t k2 = Word(t, n, i + 1); k2 *= c2; k2 = Rotl(k2, 16); k2 *= c3; h2 ^= k2; }
    uint32_t k1 = Word(t, n, i); k1 *= c1; k1 = Rotl(k1, 15); k1 *= c2; h1 ^= k1;
  }
  const uint32_t byteLength = static_cast<uint32_t>(n * 2);
  h1 ^= byteLength; h2 ^= byteLength; h3 ^= byteLength; h4 ^= byteLength;
  h1 += h2; h1 += h3; h1 += h4;
  h2 += h1; h3 += h1; h4 += h1;
  h1 = Fmix32(h1); h2 = Fmix32(h2); h3 = Fmix32(h3); h4 = Fmix32(h4);
  h1 += h2; h1 += h3; h1 += h4;
  h2 += h1; h3 += h1; h4 += h1;
  out[0] = h1; out[1] = h2; out[2] = h3; out[3] = h4;
}

/** fingerprint.ts contentDigest16 of an ASCII text. */
uint32_t ContentDigest16(const uint8_t* t, size_t n) {
  constexpr uint32_t d1 = 0x9e3779b1, d2 = 0x85ebca77;
  const size_t wordCount = (n + 1) / 2;
  uint32_t a = 0x6a09e667u ^ static_cast<uint32_t>(n);
  uint32_t b = 0xbb67ae85u;
  const size_t pairEnd = wordCount & ~static_cast<size_t>(1);
  size_t i = 0;
  for (; i < pairEnd; i += 2) {
    a = (Rotl(a, 5) ^ Word(t, n, i)) * d1;
    b = (Rotl(b, 5) ^ Word(t, n, i + 1)) * d2;
  }
  if (i < wordCount) a = (Rotl(a, 5) ^ Word(t, n, i)) * d1;
  const uint32_t h = Fmix32(a + (b ^ (b >> 15)) * 0x27d4eb2fu);
  return (h ^ (h >> 16)) & 0xffff;
}

const char* const kScopes[] = {"participant", "admin", "moderator"};
const char* const kTypes[] = {"public", "private", "password"};

/**
 * Writes the member's canonical JSON (serialize-member.ts key order) into `json`, its memberId
 * into `id`; false when a cross-field rule or a limit leaves the decision to JavaScript.
 */
bool Compose(const uint8_t* b, const Record& r, const uint8_t* key, size_t keyLen, bool hasKey, const Stamp& now, Out& id, Out& json) {
  if (!r.guid.present || !r.uid.present) return false;
  if (r.hasGroup && ((r.gGuid.present && !SameId(b, r.gGuid, r.guid)) || !r.gName.present || r.gType < 0)) return false;
  if (r.hasUser && ((r.uUid.present && !SameId(b, r.uUid, r.uid)) || !r.uName.present)) return false;
  if (r.joined.present) {
    if (!now.present || std::memcmp(r.joined.text, now.text, 10) > 0) return false;
    if (r.hasGroup && r.gCreated.present && std::memcmp(r.joined.text, r.gCreated.text, 10) < 0) return false;
  }
  const size_t idStart = id.len;
  id.PutId(b, r.guid);
  id.Put("_member_", 8);
  id.PutId(b, r.uid);
  if (!id.ok) return false;
  const uint8_t* memberId = id.p + idStart;
  const size_t memberIdLen = id.len - idStart;
  if (r.memberId.present && !MatchesLowered(b + r.memberId.start, r.memberId.len, memberId, memberIdLen)) return false;
  if (hasKey && !MatchesLowered(key, keyLen, memberId, memberIdLen)) return false;

  json.Put("{\"memberId\":\"");
  json.Put(reinterpret_cast<const char*>(memberId), memberIdLen);
  json.Put("\",\"uid\":\"");
  json.PutId(b, r.uid);
  json.Put("\",\"guid\":\"");
  json.PutId(b, r.guid);
  if (r.joined.present) {
    json.Put("\",\"joinedAt\":\"");
    json.Put(r.joined.text, 10);
  }
  json.Put("\",\"scope\":\"");
  json.Put(kScopes[r.scope]);
  json.Put("\"");
  if (r.banned >= 0) json.Put(r.banned ? ",\"isBanned\":true" : ",\"isBanned\":false");
  if (r.hasGroup) {
    json.Put(",\"groupDetails\":{\"guid\":\"");
    json.PutId(b, r.guid);
    json.Put("\",\"name\":\"");
    json.PutSpan(b, r.gName);
    json.Put("\",\"type\":\"");
    json.Put(kTypes[r.gType]);
    if (r.gOwner.present) {
      json.Put("\",\"owner\":\"");
      json.PutId(b, r.gOwner);
    }
    if (r.gCreated.present) {
      json.Put("\",\"createdAt\":\"");
      json.Put(r.gCreated.text, 10);
    }
    if (r.gIcon.present) {
      json.Put("\",\"icon\":\"");
      json.PutSpan(b, r.gIcon);
    }
    if (r.gPassword.present) {
      json.Put("\",\"password\":\"");
      json.PutSpan(b, r.gPassword);
    }
    json.Put("\"}");
  }
  if (r.hasUser) {
    json.Put(",\"userDetails\":{\"uid\":\"");
    json.PutId(b, r.uid);
    json.Put("\",\"name\":\"");
    json.PutSpan(b, r.uName);
    const struct { const Span* span; const char* key; } texts[] = {
        {&r.uAvatar, "\",\"avatar\":\""}, {&r.uLink, "\",\"link\":\""}, {&r.uRole, "\",\"role\":\""}};
    for (const auto& t : texts) {
      if (t.span->present) {
        json.Put(t.key);
        json.PutSpan(b, *t.span);
      }
    }
    if (r.uCreated.present) {
      json.Put("\",\"createdAt\":\"");
      json.Put(r.uCreated.text, 10);
    }
    if (r.uLast.present) {
      json.Put("\",\"lastActiveAt\":\"");
      json.Put(r.uLast.text, 10);
    }
    if (r.uDeactivated.present) {
      json.Put("\",\"deactivatedAt\":\"");
      json.Put(r.uDeactivated.text, 10);
    }
    json.Put("\"}");
  }
  json.Put("}");
  return json.ok;
}

// ---- N-API glue ----

bool TypedArray(napi_env env, napi_value value, napi_typedarray_type want, void** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return false;
  return type == want || (want == napi_uint8_array && type == napi_uint8_clamped_array);
}

napi_value Throw(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

/**
 * scanBlock(bytes, ends, count, keys, nowSeconds, wantJson, words, flags, ids, jsons) → handled
 * count. For each record it handles: flags[i] = 1, words[i*7 .. i*7+4] = fingerprint and digest
 * (status VALID), words[i*7+5] / [i*7+6] = the end of its memberId in `ids` and of its JSON in
 * `jsons` (bytes, cumulative over handled records; JSON only with wantJson).
 */
napi_value ScanBlock(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 10) return Throw(env, "scanBlock: 10 arguments expected");
  void *bytesData, *endsData, *wordsData, *flagsData, *idsData, *jsonsData;
  size_t bytesLen, endsLen, wordsLen, flagsLen, idsLen, jsonsLen;
  if (!TypedArray(env, argv[0], napi_uint8_array, &bytesData, &bytesLen) || !TypedArray(env, argv[1], napi_int32_array, &endsData, &endsLen) ||
      !TypedArray(env, argv[6], napi_int32_array, &wordsData, &wordsLen) || !TypedArray(env, argv[7], napi_uint8_array, &flagsData, &flagsLen) ||
      !TypedArray(env, argv[8], napi_uint8_array, &idsData, &idsLen) || !TypedArray(env, argv[9], napi_uint8_array, &jsonsData, &jsonsLen)) {
    return Throw(env, "scanBlock: typed arrays expected");
  }
  uint32_t count;
  double nowSeconds;
  bool wantJson;
  if (napi_get_value_uint32(env, argv[2], &count) != napi_ok || napi_get_value_double(env, argv[4], &nowSeconds) != napi_ok ||
      napi_get_value_bool(env, argv[5], &wantJson) != napi_ok) {
    return Throw(env, "scanBlock: count, nowSeconds and wantJson expected");
  }
  if (count > endsLen || static_cast<size_t>(count) * kWordsPerRecord > wordsLen || count > flagsLen) return Throw(env, "scanBlock: arrays too short");
  napi_valuetype keysType;
  napi_typeof(env, argv[3], &keysType);
  const bool hasKeys = keysType == napi_object;

  const auto* bytes = static_cast<const uint8_t*>(bytesData);
  const auto* ends = static_cast<const int32_t*>(endsData);
  auto* words = static_cast<int32_t*>(wordsData);
  auto* flags = static_cast<uint8_t*>(flagsData);
  Out ids{static_cast<uint8_t*>(idsData), idsLen, 0};
  Out jsons{static_cast<uint8_t*>(jsonsData), jsonsLen, 0};

  // "now" as 10 digits; outside the 10-digit range every record with a joinedAt goes to JavaScript.
  Stamp now;
  if (nowSeconds >= kMinSeconds && nowSeconds <= kMaxSeconds) {
    int64_t whole = static_cast<int64_t>(nowSeconds);  // floor: positive
    for (int k = 9; k >= 0; k--) {
      now.text[k] = static_cast<char>('0' + whole % 10);
      whole /= 10;
    }
    now.present = true;
  }

  uint32_t handled = 0;
  int32_t start = 0;
  char keyBuffer[256];
  for (uint32_t i = 0; i < count; i++) {
    const int32_t end = ends[i];
    flags[i] = 0;
    if (end < start || static_cast<size_t>(end) > bytesLen) return Throw(env, "scanBlock: record ends out of order or out of range");
    const uint32_t recordStart = static_cast<uint32_t>(start);
    start = end;
    size_t keyLen = 0;
    bool hasKey = false;
    if (hasKeys) {
      napi_value key;
      napi_valuetype keyType;
      if (napi_get_element(env, argv[3], i, &key) != napi_ok || napi_typeof(env, key, &keyType) != napi_ok) return nullptr;
      if (keyType == napi_string) {
        if (napi_get_value_string_utf8(env, key, keyBuffer, sizeof keyBuffer, &keyLen) != napi_ok) return nullptr;
        if (keyLen >= sizeof keyBuffer - 1) continue;  // maybe cut short: JavaScript decides
        bool ascii = true;
        for (size_t k = 0; k < keyLen; k++) ascii = ascii && static_cast<uint8_t>(keyBuffer[k]) < 0x80;
        if (!ascii) continue;
        hasKey = true;
      } else if (keyType != napi_undefined) {
        continue;
      }
    }
    Scanner scanner(bytes + recordStart, static_cast<uint32_t>(end) - recordStart);
    Record record;
    if (!scanner.Read(record)) continue;
    const size_t idMark = ids.len;
    const size_t jsonMark = jsons.len;
    if (!Compose(scanner.bytes(), record, reinterpret_cast<const uint8_t*>(keyBuffer), keyLen, hasKey, now, ids, jsons)) {
      ids.len = idMark;
      jsons.len = jsonMark;
      ids.ok = jsons.ok = true;
      continue;
    }
    uint32_t fp[4];
    Fingerprint128(ids.p + idMark, ids.len - idMark, fp);
    int32_t* w = words + static_cast<size_t>(i) * kWordsPerRecord;
    w[0] = static_cast<int32_t>(fp[0]);
    w[1] = static_cast<int32_t>(fp[1]);
    w[2] = static_cast<int32_t>(fp[2]);
    w[3] = static_cast<int32_t>(fp[3]);
    w[4] = static_cast<int32_t>(ContentDigest16(jsons.p + jsonMark, jsons.len - jsonMark));  // status VALID (0) << 16
    if (!wantJson) jsons.len = jsonMark;  // only the digest was needed
    w[5] = static_cast<int32_t>(ids.len);
    w[6] = static_cast<int32_t>(jsons.len);
    flags[i] = 1;
    handled++;
  }
  napi_value result;
  napi_create_uint32(env, handled, &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "scanBlock", NAPI_AUTO_LENGTH, ScanBlock, nullptr, &fn) != napi_ok) return nullptr;
  if (napi_set_named_property(env, exports, "scanBlock", fn) != napi_ok) return nullptr;
  return exports;
}
