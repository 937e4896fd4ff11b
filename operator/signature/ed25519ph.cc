#include "ed25519ph.h"

#include <openssl/bn.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "digest.h"

namespace csp::signature::internal {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using CtxPtr = std::unique_ptr<BN_CTX, CtxFree>;

// OpenSSL fails these only when out of memory; no caller could do better than stopping.
void Check(int ok) {
  if (ok != 1) std::abort();
}
Bn New() {
  Bn b(BN_new());
  if (!b) std::abort();
  return b;
}
Bn Dec(const char* text) {
  BIGNUM* b = nullptr;
  if (BN_dec2bn(&b, text) == 0) std::abort();
  return Bn(b);
}
Bn FromLittleEndian(std::string_view bytes) {
  Bn b(BN_lebin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size()), nullptr));
  if (!b) std::abort();
  return b;
}
std::string ToLittleEndian32(const BIGNUM* b) {
  std::string out(32, '\0');
  Check(BN_bn2lebinpad(b, reinterpret_cast<unsigned char*>(out.data()), 32) == 32 ? 1 : 0);
  return out;
}

// The curve -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19), its group order L and base point.
struct Curve {
  Bn p = Dec("57896044618658097711785492504343953926634992332820282019728792003956564819949");
  Bn d = Dec("37095705934669439343138083508754565189542113879843219016388785533085940283555");
  Bn d2 = Dec("16295367250680780974490674513165176452449235426866156013048779062215315747161");
  Bn l = Dec("7237005577332262213973186563042994240857116359379907606001950938285454250989");
  Bn sqrt_m1 = Dec("19681161376707505956807079304988542015446066515923890162744021073123829784752");
  Bn bx = Dec("15112221349535400772501151409588531511454012693041857206046113283949847762202");
  Bn by = Dec("46316835694926478169428394003475163141307993866256225615783033603165251855960");
};
const Curve& C() {
  static const Curve curve;
  return curve;
}

// A point in extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z.
struct Point {
  Bn x, y, z, t;
};

// Field arithmetic mod p with one BN_CTX; every result is a new number.
class Field {
 public:
  Field() : ctx_(BN_CTX_new()) {
    if (!ctx_) std::abort();
  }
  Bn Mul(const BIGNUM* a, const BIGNUM* b) { return Op(BN_mod_mul, a, b); }
  Bn Add(const BIGNUM* a, const BIGNUM* b) { return Op(BN_mod_add, a, b); }
  Bn Sub(const BIGNUM* a, const BIGNUM* b) { return Op(BN_mod_sub, a, b); }
  Bn Inverse(const BIGNUM* a) {
    Bn r = New();
    return BN_mod_inverse(r.get(), a, C().p.get(), ctx_.get()) != nullptr ? std::move(r) : Bn();
  }
  Bn Pow(const BIGNUM* a, const BIGNUM* e) {
    Bn r = New();
    Check(BN_mod_exp(r.get(), a, e, C().p.get(), ctx_.get()));
    return r;
  }
  BN_CTX* ctx() { return ctx_.get(); }

 private:
  using BinaryOp = int (*)(BIGNUM*, const BIGNUM*, const BIGNUM*, const BIGNUM*, BN_CTX*);
  Bn Op(BinaryOp op, const BIGNUM* a, const BIGNUM* b) {
    Bn r = New();
    Check(op(r.get(), a, b, C().p.get(), ctx_.get()));
    return r;
  }
  CtxPtr ctx_;
};

Point Identity() {
  Point p{New(), New(), New(), New()};
  BN_zero(p.x.get());
  BN_one(p.y.get());
  BN_one(p.z.get());
  BN_zero(p.t.get());
  return p;
}

Point Affine(Field& f, Bn x, Bn y) {
  Bn t = f.Mul(x.get(), y.get());
  Bn z = New();
  BN_one(z.get());
  return {std::move(x), std::move(y), std::move(z), std::move(t)};
}

Point Base(Field& f) { return Affine(f, Bn(BN_dup(C().bx.get())), Bn(BN_dup(C().by.get()))); }

// add-2008-hwcd-3: unified (also doubles) and complete on this curve.
Point Add(Field& f, const Point& p, const Point& q) {
  Bn a = f.Mul(f.Sub(p.y.get(), p.x.get()).get(), f.Sub(q.y.get(), q.x.get()).get());
  Bn b = f.Mul(f.Add(p.y.get(), p.x.get()).get(), f.Add(q.y.get(), q.x.get()).get());
  Bn c = f.Mul(f.Mul(p.t.get(), C().d2.get()).get(), q.t.get());
  Bn zz = f.Mul(p.z.get(), q.z.get());
  Bn d = f.Add(zz.get(), zz.get());
  Bn e = f.Sub(b.get(), a.get()), g = f.Add(d.get(), c.get());
  Bn ff = f.Sub(d.get(), c.get()), h = f.Add(b.get(), a.get());
  return {f.Mul(e.get(), ff.get()), f.Mul(g.get(), h.get()), f.Mul(ff.get(), g.get()),
          f.Mul(e.get(), h.get())};
}

Point ScalarMult(Field& f, const Point& p, const BIGNUM* k) {
  Point r = Identity();
  for (int i = BN_num_bits(k) - 1; i >= 0; --i) {
    r = Add(f, r, r);
    if (BN_is_bit_set(k, i)) r = Add(f, r, p);
  }
  return r;
}

Point Negate(Field& f, const Point& p) {
  Bn zero = New();
  BN_zero(zero.get());
  return {f.Sub(zero.get(), p.x.get()), Bn(BN_dup(p.y.get())), Bn(BN_dup(p.z.get())),
          f.Sub(zero.get(), p.t.get())};
}

// RFC 8032 section 5.1.2: y little-endian, the sign of x in the top bit.
std::string Encode(Field& f, const Point& p) {
  Bn z_inverse = f.Inverse(p.z.get());
  if (!z_inverse) std::abort();  // Z is never 0 for points of this curve
  Bn x = f.Mul(p.x.get(), z_inverse.get()), y = f.Mul(p.y.get(), z_inverse.get());
  std::string out = ToLittleEndian32(y.get());
  if (BN_is_odd(x.get())) out[31] = static_cast<char>(out[31] | 0x80);
  return out;
}

// RFC 8032 section 5.1.3, rejecting y >= p.
std::optional<Point> Decode(Field& f, std::string_view bytes) {
  std::string copy(bytes);
  const bool x_odd = (static_cast<unsigned char>(copy[31]) & 0x80) != 0;
  copy[31] = static_cast<char>(copy[31] & 0x7F);
  Bn y = FromLittleEndian(copy);
  if (BN_cmp(y.get(), C().p.get()) >= 0) return std::nullopt;
  Bn one = New();
  BN_one(one.get());
  Bn yy = f.Mul(y.get(), y.get());
  Bn u = f.Sub(yy.get(), one.get());
  Bn v = f.Add(f.Mul(C().d.get(), yy.get()).get(), one.get());
  Bn v_inverse = f.Inverse(v.get());
  if (!v_inverse) return std::nullopt;
  Bn xx = f.Mul(u.get(), v_inverse.get());
  Bn exponent = New();  // (p + 3) / 8
  Check(BN_copy(exponent.get(), C().p.get()) != nullptr ? 1 : 0);
  Check(BN_add_word(exponent.get(), 3));
  Check(BN_rshift(exponent.get(), exponent.get(), 3));
  Bn x = f.Pow(xx.get(), exponent.get());
  if (BN_cmp(f.Mul(x.get(), x.get()).get(), xx.get()) != 0) {
    Bn zero = New();
    BN_zero(zero.get());
    if (BN_cmp(f.Mul(x.get(), x.get()).get(), f.Sub(zero.get(), xx.get()).get()) != 0) {
      return std::nullopt;
    }
    x = f.Mul(x.get(), C().sqrt_m1.get());
  }
  if (BN_is_zero(x.get()) && x_odd) return std::nullopt;
  if (BN_is_odd(x.get()) != x_odd) x = f.Sub(C().p.get(), x.get());
  return Affine(f, std::move(x), std::move(y));
}

// SHA-512 of the parts, read little-endian, mod L.
Bn HashToScalar(Field& f, std::string_view a, std::string_view b, std::string_view c,
                std::string_view d) {
  std::string input;
  input.append(a).append(b).append(c).append(d);
  Bn h = FromLittleEndian(Sha512(input));
  Bn r = New();
  Check(BN_nnmod(r.get(), h.get(), C().l.get(), f.ctx()));
  return r;
}

Bn ClampedScalar(std::string_view seed_hash) {
  std::string a(seed_hash.substr(0, 32));
  a[0] = static_cast<char>(a[0] & 248);
  a[31] = static_cast<char>((a[31] & 127) | 64);
  return FromLittleEndian(a);
}

}  // namespace

bool VerifyEd25519(std::string_view public_key, std::string_view dom, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  Field f;
  std::optional<Point> a = Decode(f, public_key);
  if (!a) return false;
  const std::string_view r = signature.substr(0, 32);
  Bn s = FromLittleEndian(signature.substr(32));
  if (BN_cmp(s.get(), C().l.get()) >= 0) return false;
  Bn k = HashToScalar(f, dom, r, public_key, message);
  const Point check =
      Add(f, ScalarMult(f, Base(f), s.get()), ScalarMult(f, Negate(f, *a), k.get()));
  return Encode(f, check) == r;
}

std::string Ed25519PublicKey(std::string_view seed) {
  Field f;
  Bn a = ClampedScalar(Sha512(seed));
  return Encode(f, ScalarMult(f, Base(f), a.get()));
}

std::string SignEd25519(std::string_view seed, std::string_view dom, std::string_view message) {
  Field f;
  const std::string h = Sha512(seed);
  Bn a = ClampedScalar(h);
  const std::string public_key = Encode(f, ScalarMult(f, Base(f), a.get()));
  Bn r = HashToScalar(f, dom, std::string_view(h).substr(32), message, "");
  const std::string r_bytes = Encode(f, ScalarMult(f, Base(f), r.get()));
  Bn k = HashToScalar(f, dom, r_bytes, public_key, message);
  Bn s = New();
  Check(BN_mod_mul(s.get(), k.get(), a.get(), C().l.get(), f.ctx()));
  Check(BN_mod_add(s.get(), s.get(), r.get(), C().l.get(), f.ctx()));
  return r_bytes + ToLittleEndian32(s.get());
}

}  // namespace csp::signature::internal
