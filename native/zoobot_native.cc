// zoobot-native: tfjs kernels over oneDNN for Node. Every function reads and writes the cpu backend's
// Float32Arrays in place (NHWC activations, TF filter layouts); oneDNN reorders the weights into its
// blocked layouts, and x and dy for weight gradients where that is faster. Primitives are cached by
// their geometry, since creating one costs far more than running a small one.
#include <napi.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>
#include <memory>
#include <string>
#include <vector>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using dims = memory::dims;

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

// Small primitives run on the calling thread alone. With OpenMP's team, a convolution of a few
// thousand multiply-adds (EfficientNet's squeeze-excitation) took 20 ms instead of 40 us whenever
// another process held a core: the team's barrier waits for a descheduled thread.
constexpr double kSingleThreadWork = 4e6;  // multiply-adds (or elements) below which one thread runs it
int configuredThreads = 1;                 // the team size otherwise (set at load and by threads())

struct ThreadScope {
  bool single;
  explicit ThreadScope(double work) : single(work < kSingleThreadWork) {
    if (single) omp_set_num_threads(1);
  }
  ~ThreadScope() {
    if (single) omp_set_num_threads(configuredThreads);
  }
};

// Runs body(begin, end, part) over rows [0, rows) cut into one equal part per thread, or as one part
// on the calling thread when the pass is small. The passes it serves are bound by memory bandwidth,
// which one core of these machines does not saturate. Parts are fixed by the thread count, so
// per-part partial sums combine in the same order every run.
template <typename Body>
int forRowParts(int64_t rows, double work, Body body) {
  const int parts = work < kSingleThreadWork ? 1 : static_cast<int>(std::min<int64_t>(configuredThreads, rows));
  if (parts <= 1) {
    body(int64_t(0), rows, 0);
    return 1;
  }
#pragma omp parallel for num_threads(parts) schedule(static, 1)
  for (int part = 0; part < parts; ++part) body(rows * part / parts, rows * (part + 1) / parts, part);
  return parts;
}

// Hot loops compiled twice: for AVX2 (8 lanes) where the CPU has it, else SSE2 (4 lanes). No FMA, so
// each element sees the same operations either way and the results agree.
#define ZOOBOT_AVX2_CLONES __attribute__((target_clones("avx2", "default")))

// Per-channel sums from forRowParts: one row of c doubles per part (at most one per thread), added in
// part order.
struct ChannelSums {
  int64_t c;
  std::vector<double> partial;
  explicit ChannelSums(int64_t channels) : c(channels), partial(static_cast<size_t>(channels) * std::max(configuredThreads, 1), 0.0) {}
  double* part(int p) { return partial.data() + p * c; }
  std::vector<double> total(int parts) const {
    std::vector<double> sum(partial.begin(), partial.begin() + c);
    for (int p = 1; p < parts; ++p)
      for (int64_t j = 0; j < c; ++j) sum[j] += partial[p * c + j];
    return sum;
  }
};

// Geometry of one 2-D convolution, as the TypeScript side passes it (an Int32Array, in this order).
struct ConvGeometry {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};

enum ConvMode { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };
// Activations fused after a forward convolution or matmul (tfjs's FusedConv2D `activation` attr).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kLeakyRelu = 5 };

ConvGeometry readGeometry(const Napi::Int32Array& p) {
  if (p.ElementLength() != 18) throw Napi::Error::New(p.Env(), "zoobot-native: convolution geometry needs 18 integers");
  const int32_t* v = p.Data();
  ConvGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
  // oneDNN insists that (in + pads - effective kernel) / stride + 1 equals out exactly; tfjs's
  // 'valid' floors and its explicit pads with ceil rounding may not, so fix the far-side pad.
  auto fixPad = [](int64_t in, int64_t out, int64_t k, int64_t s, int64_t d, int64_t lo, int64_t& hi) {
    const int64_t ek = (k - 1) * d + 1;
    if ((in - ek + lo + hi) / s + 1 != out) hi = (out - 1) * s + ek - in - lo;
  };
  fixPad(g.ih, g.oh, g.kh, g.sh, g.dh, g.pt, g.pb);
  fixPad(g.iw, g.ow, g.kw, g.sw, g.dw, g.pl, g.pr);
  return g;
}

memory::desc nhwc(int64_t n, int64_t h, int64_t w, int64_t c) {
  return memory::desc({n, c, h, w}, memory::data_type::f32, memory::format_tag::nhwc);
}

// TF filters are [kh, kw, in, out] (conv) or [kh, kw, channels, multiplier] (depthwise, groups = channels).
memory::desc tfFilter(const ConvGeometry& g) {
  if (g.groups == 1) return memory::desc({g.oc, g.ic, g.kh, g.kw}, memory::data_type::f32, memory::format_tag::hwio);
  const int64_t m = g.oc / g.groups;
  return memory::desc({g.groups, m, g.ic / g.groups, g.kh, g.kw}, memory::data_type::f32,
                      dims{m, 1, 1, g.kw * g.oc, g.oc});
}

memory::desc anyFilter(const ConvGeometry& g) {
  if (g.groups == 1) return memory::desc({g.oc, g.ic, g.kh, g.kw}, memory::data_type::f32, memory::format_tag::any);
  return memory::desc({g.groups, g.oc / g.groups, g.ic / g.groups, g.kh, g.kw}, memory::data_type::f32, memory::format_tag::any);
}

dnnl::post_ops activationPostOps(int activation, float alpha) {
  dnnl::post_ops ops;
  switch (activation) {
    case kRelu: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case kRelu6: ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case kElu: ops.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    case kSigmoid: ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kLeakyRelu: ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    default: break;
  }
  return ops;
}

// One cached convolution: the primitive, the reorder of the TF filter to or from its layout, and the
// reorders of the activations between NHWC and the layouts the primitive wants.
struct ConvEntry {
  dnnl::primitive prim;
  memory::desc weightsDesc;     // what the primitive wants
  memory::desc userWeightsDesc; // the TF layout
  bool reorderWeights = false;
  dnnl::reorder weightsReorder;
  memory weightsScratch;
  // The activations' layouts inside the primitive: src (x or dx) and dst (y or dy). Reorders run
  // NHWC -> inner for what the primitive reads and inner -> NHWC for what it writes.
  memory::desc srcDesc, dstDesc;
  bool reorderSrc = false, reorderDst = false;
  dnnl::reorder srcReorder, dstReorder;
};

// Scratch for reordered activations, shared by every call: JavaScript calls the addon from one
// thread, and per-primitive buffers held hundreds of MiB for a VGG at batch 32.
struct ScratchBuffer {
  void* data = nullptr;
  size_t bytes = 0;
  void* reserve(size_t wanted) {
    if (wanted > bytes) {
      std::free(data);
      bytes = (wanted + 4095) / 4096 * 4096;
      data = std::aligned_alloc(4096, bytes);
      if (data == nullptr) {
        bytes = 0;
        throw std::bad_alloc();
      }
    }
    return data;
  }
};
ScratchBuffer srcScratch, dstScratch;

std::map<std::string, std::unique_ptr<ConvEntry>> convCache;
constexpr size_t kMaxCachedPrimitives = 512;  // random-shape tests create many; a model uses a few dozen

std::string convKey(int mode, const ConvGeometry& g, bool bias, int activation, float alpha) {
  std::string key = std::to_string(mode) + ":" + std::to_string(bias) + ":" + std::to_string(activation) + ":" + std::to_string(alpha);
  for (int64_t v : {g.n, g.ih, g.iw, g.ic, g.oh, g.ow, g.oc, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.pb, g.pr, g.groups}) {
    key += ":" + std::to_string(v);
  }
  return key;
}

// Where oneDNN 2.6's AVX2 convolutions run faster on blocked activations (nChw8c) than on NHWC,
// reorders both ways included (measured on the W+20 VGG's and EfficientNetB0's layers): the weight
// gradient of spatial filters whenever the input has channels to block (about 1.8x), their forward
// pass and data gradient with channels to block on both sides (1.2-1.5x). 1x1 convolutions run as
// matrix products on NHWC, 25-30% faster than blocked in all three passes; depthwise ones stay NHWC.
bool blockedActivations(int mode, const ConvGeometry& g) {
  if (g.groups != 1 || g.ic < 8 || g.kh * g.kw == 1) return false;
  return mode == kBackwardWeights || g.oc >= 8;
}

ConvEntry& convPrimitive(int mode, const ConvGeometry& g, bool bias, int activation, float alpha) {
  const std::string key = convKey(mode, g, bias, activation, alpha);
  auto found = convCache.find(key);
  if (found != convCache.end()) return *found->second;
  if (convCache.size() >= kMaxCachedPrimitives) convCache.clear();

  auto& engine = cpuEngine();
  const memory::desc src = nhwc(g.n, g.ih, g.iw, g.ic), dst = nhwc(g.n, g.oh, g.ow, g.oc);
  const bool blocked = blockedActivations(mode, g);
  const memory::desc innerSrc = blocked ? memory::desc({g.n, g.ic, g.ih, g.iw}, memory::data_type::f32, memory::format_tag::any) : src;
  const memory::desc innerDst = blocked ? memory::desc({g.n, g.oc, g.oh, g.ow}, memory::data_type::f32, memory::format_tag::any) : dst;
  const memory::desc biasDesc = bias ? memory::desc({g.oc}, memory::data_type::f32, memory::format_tag::x) : memory::desc();
  const dims strides{g.sh, g.sw}, dilates{g.dh - 1, g.dw - 1}, padL{g.pt, g.pl}, padR{g.pb, g.pr};
  dnnl::primitive_attr attr;
  attr.set_post_ops(activationPostOps(activation, alpha));
  dnnl::convolution_forward::desc fwdDesc(
      mode == kForward ? prop_kind::forward_inference : prop_kind::forward_training, algorithm::convolution_direct,
      innerSrc, anyFilter(g), biasDesc, innerDst, strides, dilates, padL, padR);
  dnnl::convolution_forward::primitive_desc fwd(fwdDesc, attr, engine);

  auto entry = std::make_unique<ConvEntry>();
  entry->userWeightsDesc = tfFilter(g);
  if (mode == kForward) {
    entry->prim = dnnl::convolution_forward(fwd);
    entry->weightsDesc = fwd.weights_desc();
    entry->srcDesc = fwd.src_desc();
    entry->dstDesc = fwd.dst_desc();
  } else if (mode == kBackwardData) {
    dnnl::convolution_backward_data::desc d(algorithm::convolution_direct, innerSrc, anyFilter(g), innerDst, strides, dilates, padL, padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, engine, fwd);
    entry->prim = dnnl::convolution_backward_data(pd);
    entry->weightsDesc = pd.weights_desc();
    entry->srcDesc = pd.diff_src_desc();
    entry->dstDesc = pd.diff_dst_desc();
  } else {
    dnnl::convolution_backward_weights::desc d(algorithm::convolution_direct, innerSrc, anyFilter(g), innerDst, strides, dilates, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, engine, fwd);
    entry->prim = dnnl::convolution_backward_weights(pd);
    entry->weightsDesc = pd.diff_weights_desc();
    entry->srcDesc = pd.src_desc();
    entry->dstDesc = pd.diff_dst_desc();
  }
  // Forward reads src and writes dst; backward data reads dst and writes src; backward weights reads both.
  entry->reorderSrc = entry->srcDesc != src;
  entry->reorderDst = entry->dstDesc != dst;
  const bool srcIn = mode != kBackwardData, dstIn = mode != kForward;
  if (entry->reorderSrc) {
    entry->srcReorder = srcIn ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, src, engine, entry->srcDesc))
                              : dnnl::reorder(dnnl::reorder::primitive_desc(engine, entry->srcDesc, engine, src));
  }
  if (entry->reorderDst) {
    entry->dstReorder = dstIn ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, dst, engine, entry->dstDesc))
                              : dnnl::reorder(dnnl::reorder::primitive_desc(engine, entry->dstDesc, engine, dst));
  }
  entry->reorderWeights = entry->weightsDesc != entry->userWeightsDesc;
  if (entry->reorderWeights) {
    entry->weightsScratch = memory(entry->weightsDesc, engine);
    // Forward and backward-data read the filter (TF -> oneDNN); backward-weights writes it (oneDNN -> TF).
    entry->weightsReorder = mode == kBackwardWeights
        ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, entry->weightsDesc, engine, entry->userWeightsDesc))
        : dnnl::reorder(dnnl::reorder::primitive_desc(engine, entry->userWeightsDesc, engine, entry->weightsDesc));
  }
  return *convCache.emplace(key, std::move(entry)).first->second;
}

float* f32(const Napi::Value& v, size_t expected, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(v.Env(), std::string("zoobot-native: ") + name + " must be a Float32Array");
  }
  auto a = v.As<Napi::Float32Array>();
  if (a.ElementLength() != expected) {
    throw Napi::RangeError::New(v.Env(), std::string("zoobot-native: ") + name + " has " + std::to_string(a.ElementLength()) +
                                             " elements, expected " + std::to_string(expected));
  }
  return a.Data();
}

// A Float32Array argument, or a TypeError naming it (the elementwise entry points check lengths themselves).
Napi::Float32Array floats(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(v.Env(), std::string("zoobot-native: ") + name + " must be a Float32Array");
  }
  return v.As<Napi::Float32Array>();
}

// Per-channel arguments: x viewed as rows of c channels (the last axis).
struct ChannelSpan {
  int64_t rows, c;
};

ChannelSpan channelSpan(Napi::Env env, const Napi::Float32Array& x, const Napi::Float32Array& perChannel, const char* kernel) {
  const int64_t n = x.ElementLength(), c = perChannel.ElementLength();
  if (c == 0 || n == 0 || n % c != 0) throw Napi::RangeError::New(env, std::string("zoobot-native: ") + kernel + " needs x's length to be a multiple of the channels");
  return {n / c, c};
}

void requireLength(Napi::Env env, const Napi::Float32Array& a, int64_t length, const char* what) {
  if (static_cast<int64_t>(a.ElementLength()) != length) {
    throw Napi::RangeError::New(env, std::string("zoobot-native: ") + what + " has " + std::to_string(a.ElementLength()) + " elements, expected " + std::to_string(length));
  }
}

// acc[ch] += x[ch] * dy[ch] over one pixel's channels.
ZOOBOT_AVX2_CLONES void addProducts(int64_t c, const float* x, const float* dy, float* acc) {
#pragma omp simd
  for (int64_t ch = 0; ch < c; ++ch) acc[ch] += x[ch] * dy[ch];
}

// The weight gradient of a depthwise convolution with channel multiplier 1, from its definition:
// dw[i, j, ch] = sum over n, p, q of x[n, p*sh + i*dh - pt, q*sw + j*dw - pl, ch] * dy[n, p, q, ch],
// vectorised along the channels NHWC keeps contiguous. oneDNN 2.6 runs 5x5 filters through its
// generic grouped kernel: EfficientNetB0's depthwise weight gradients at batch 16 took 135 ms per
// step there, 68 here. (The forward pass and data gradient written the same way ran 20-50% slower
// than oneDNN's.) Each image sums in float, images add up in double, threads take whole images.
void depthwiseWeightGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int64_t c = g.ic, taps = g.kh * g.kw;
  ChannelSums sums(taps * c);
  const double work = static_cast<double>(g.n) * g.oh * g.ow * taps * c;
  const int parts = forRowParts(g.n, work, [&](int64_t first, int64_t end, int part) {
    std::vector<float> image(taps * c);
    double* total = sums.part(part);
    for (int64_t n = first; n < end; ++n) {
      std::fill(image.begin(), image.end(), 0.f);
      for (int64_t p = 0; p < g.oh; ++p) {
        for (int64_t q = 0; q < g.ow; ++q) {
          const float* dyPixel = dy + ((n * g.oh + p) * g.ow + q) * c;
          for (int64_t i = 0; i < g.kh; ++i) {
            const int64_t xi = p * g.sh + i * g.dh - g.pt;
            if (xi < 0 || xi >= g.ih) continue;
            for (int64_t j = 0; j < g.kw; ++j) {
              const int64_t xj = q * g.sw + j * g.dw - g.pl;
              if (xj >= 0 && xj < g.iw) addProducts(c, x + ((n * g.ih + xi) * g.iw + xj) * c, dyPixel, image.data() + (i * g.kw + j) * c);
            }
          }
        }
      }
      for (int64_t k = 0; k < taps * c; ++k) total[k] += image[k];
    }
  });
  const std::vector<double> result = sums.total(parts);
  for (int64_t k = 0; k < taps * c; ++k) dw[k] = static_cast<float>(result[k]);  // TF layout [kh, kw, c, 1]
}

// The weight gradient of a strided 1x1 convolution as one matrix product, dw[ic, oc] = xs^T dy, over
// xs, the input pixels the stride visits gathered into rows (zeros where padding). oneDNN 2.6's own
// kernel for it corrupted the heap on small geometries (a random-shape test crashed one run in five;
// a fuzzer over tfjs's geometries found strided 1x1 weight gradients alone to blame).
dnnl_status_t stridedPointwiseWeightGrad(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int64_t rows = g.n * g.oh * g.ow;
  float* xs = static_cast<float*>(srcScratch.reserve(static_cast<size_t>(rows * g.ic) * sizeof(float)));
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t p = 0; p < g.oh; ++p)
      for (int64_t q = 0; q < g.ow; ++q) {
        const int64_t xi = p * g.sh - g.pt, xj = q * g.sw - g.pl;
        float* row = xs + ((n * g.oh + p) * g.ow + q) * g.ic;
        if (xi < 0 || xi >= g.ih || xj < 0 || xj >= g.iw) std::fill(row, row + g.ic, 0.f);
        else std::memcpy(row, x + ((n * g.ih + xi) * g.iw + xj) * g.ic, g.ic * sizeof(float));
      }
  return dnnl_sgemm('T', 'N', g.ic, g.oc, rows, 1.f, xs, g.ic, dy, g.oc, 0.f, dw, g.oc);
}

// conv2d(mode, geometry: Int32Array, activation, alpha, a, b, bias | null, out)
//   forward:          a = x [n,ih,iw,ic], b = filter, out = y [n,oh,ow,oc]
//   backward data:    a = dy,             b = filter, out = dx
//   backward weights: a = x,              b = dy,     out = dfilter
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const int mode = info[0].As<Napi::Number>().Int32Value();
    const ConvGeometry g = readGeometry(info[1].As<Napi::Int32Array>());
    const int activation = info[2].As<Napi::Number>().Int32Value();
    const float alpha = info[3].As<Napi::Number>().FloatValue();
    const bool hasBias = info[6].IsTypedArray();
    const size_t xSize = g.n * g.ih * g.iw * g.ic, ySize = g.n * g.oh * g.ow * g.oc, wSize = g.kh * g.kw * (g.ic / g.groups) * g.oc;
    const ThreadScope threads(static_cast<double>(ySize) * g.kh * g.kw * (g.ic / g.groups));
    // oneDNN's own kernel stays faster for 3x3 filters over few channels (EfficientNetB0's first block).
    const bool directDepthwise = g.groups > 1 && g.groups == g.ic && g.oc == g.ic && (g.ic >= 64 || g.kh * g.kw > 9);
    if (mode == kBackwardWeights && g.groups == 1 && g.kh == 1 && g.kw == 1 && (g.sh > 1 || g.sw > 1)) {
      const dnnl_status_t status = stridedPointwiseWeightGrad(g, f32(info[4], xSize, "x"), f32(info[5], ySize, "dy"), f32(info[7], wSize, "dfilter"));
      if (status != dnnl_success) throw Napi::Error::New(env, "zoobot-native: oneDNN sgemm failed with status " + std::to_string(status));
      return env.Undefined();
    }
    if (mode == kBackwardWeights && directDepthwise) {
      depthwiseWeightGrad(g, f32(info[4], xSize, "x"), f32(info[5], ySize, "dy"), f32(info[7], wSize, "dfilter"));
      return env.Undefined();
    }
    ConvEntry& e = convPrimitive(mode, g, hasBias, activation, alpha);
    auto& engine = cpuEngine();
    auto& stream = cpuStream();
    // The user's arrays: src is x or dx, dst is y or dy, w is the filter or its gradient.
    const bool srcIn = mode != kBackwardData, dstIn = mode != kForward, weightsIn = mode != kBackwardWeights;
    const int srcArg = mode == kBackwardData ? 7 : 4, dstArg = mode == kForward ? 7 : (mode == kBackwardData ? 4 : 5);
    const int weightsArg = mode == kBackwardWeights ? 7 : 5;
    memory userSrc(nhwc(g.n, g.ih, g.iw, g.ic), engine, f32(info[srcArg], xSize, mode == kBackwardData ? "dx" : "x"));
    memory userDst(nhwc(g.n, g.oh, g.ow, g.oc), engine, f32(info[dstArg], ySize, mode == kForward ? "y" : "dy"));
    memory userW(e.userWeightsDesc, engine, f32(info[weightsArg], wSize, mode == kBackwardWeights ? "dfilter" : "filter"));
    memory src = e.reorderSrc ? memory(e.srcDesc, engine, srcScratch.reserve(e.srcDesc.get_size())) : userSrc;
    memory dst = e.reorderDst ? memory(e.dstDesc, engine, dstScratch.reserve(e.dstDesc.get_size())) : userDst;
    memory w = e.reorderWeights ? e.weightsScratch : userW;
    if (e.reorderSrc && srcIn) e.srcReorder.execute(stream, userSrc, src);
    if (e.reorderDst && dstIn) e.dstReorder.execute(stream, userDst, dst);
    if (e.reorderWeights && weightsIn) e.weightsReorder.execute(stream, userW, w);
    std::unordered_map<int, memory> args;
    if (mode == kForward) {
      args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
      if (hasBias) args.insert({DNNL_ARG_BIAS, memory({{g.oc}, memory::data_type::f32, memory::format_tag::x}, engine, f32(info[6], g.oc, "bias"))});
    } else if (mode == kBackwardData) {
      args = {{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, src}};
    } else {
      args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_WEIGHTS, w}};
    }
    e.prim.execute(stream, args);
    if (e.reorderSrc && !srcIn) e.srcReorder.execute(stream, src, userSrc);
    if (e.reorderDst && !dstIn) e.dstReorder.execute(stream, dst, userDst);
    if (e.reorderWeights && !weightsIn) e.weightsReorder.execute(stream, w, userW);
    stream.wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("zoobot-native: oneDNN convolution failed: ") + err.what());
  }
  return env.Undefined();
}

// matmul(a, b, out, geometry: Int32Array [batchA, batchB, m, n, k, transposeA, transposeB]):
// out[i] = op(a[i or 0]) * op(b[i or 0]) for each of max(batchA, batchB) row-major matrices.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto geometry = info[3].As<Napi::Int32Array>();
  if (geometry.ElementLength() != 7) throw Napi::Error::New(env, "zoobot-native: matmul geometry needs 7 integers");
  const int32_t* p = geometry.Data();
  const int64_t batchA = p[0], batchB = p[1], m = p[2], n = p[3], k = p[4];
  const bool ta = p[5] != 0, tb = p[6] != 0;
  const int64_t batch = std::max(batchA, batchB);
  const ThreadScope threads(static_cast<double>(batch) * m * n * k);
  const float* a = f32(info[0], batchA * m * k, "a");
  const float* b = f32(info[1], batchB * k * n, "b");
  float* c = f32(info[2], batch * m * n, "out");
  for (int64_t i = 0; i < batch; ++i) {
    const float* ai = a + (batchA == 1 ? 0 : i) * m * k;
    const float* bi = b + (batchB == 1 ? 0 : i) * k * n;
    const dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, ai, ta ? m : k, bi, tb ? k : n, 0.f, c + i * m * n, n);
    if (status != dnnl_success) throw Napi::Error::New(env, "zoobot-native: oneDNN sgemm failed with status " + std::to_string(status));
  }
  return env.Undefined();
}

// Pooling geometry: [n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr].
std::map<std::string, dnnl::pooling_forward> poolCache;

// pool(kind, geometry, x, out): forward pooling, kind 0 max / 1 avg (padding excluded, as tfjs).
Napi::Value Pool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const bool isMax = info[0].As<Napi::Number>().Int32Value() == 0;
    auto gArr = info[1].As<Napi::Int32Array>();
    if (gArr.ElementLength() != 14) throw Napi::Error::New(env, "zoobot-native: pooling geometry needs 14 integers");
    const int32_t* v = gArr.Data();
    int64_t n = v[0], ih = v[1], iw = v[2], c = v[3], oh = v[4], ow = v[5], kh = v[6], kw = v[7], sh = v[8], sw = v[9];
    int64_t pt = v[10], pl = v[11], pb = v[12], pr = v[13];
    if ((ih - kh + pt + pb) / sh + 1 != oh) pb = (oh - 1) * sh + kh - ih - pt;
    if ((iw - kw + pl + pr) / sw + 1 != ow) pr = (ow - 1) * sw + kw - iw - pl;
    const ThreadScope threads(static_cast<double>(n) * oh * ow * c * kh * kw);
    std::string key = std::to_string(isMax);
    for (int64_t x : {n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr}) key += ":" + std::to_string(x);
    auto& engine = cpuEngine();
    auto& stream = cpuStream();
    const memory::desc src = nhwc(n, ih, iw, c), dst = nhwc(n, oh, ow, c);
    auto found = poolCache.find(key);
    if (found == poolCache.end()) {
      if (poolCache.size() >= kMaxCachedPrimitives) poolCache.clear();
      const algorithm alg = isMax ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
      dnnl::pooling_forward::desc fd(prop_kind::forward_inference, alg, src, dst, {sh, sw}, {kh, kw}, {pt, pl}, {pb, pr});
      found = poolCache.emplace(key, dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(fd, engine))).first;
    }
    memory x(src, engine, f32(info[2], n * ih * iw * c, "x"));
    memory y(dst, engine, f32(info[3], n * oh * ow * c, "y"));
    found->second.execute(stream, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}});
    stream.wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(env, std::string("zoobot-native: oneDNN pooling failed: ") + err.what());
  }
  return env.Undefined();
}

// maxPoolGrad(geometry, x, dy, dx): the max-pooling gradient as the cpu backend defines it: each
// window's dy goes to the first element strictly greater than all before it (row-major in the
// window, padding skipped; a window of only NaN or -Infinity passes nothing on). One pass over x
// with per-channel running maxima, then a scatter; oneDNN's backward pass needed the forward pass
// recomputed for its workspace.
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto gArr = info[0].As<Napi::Int32Array>();
  if (gArr.ElementLength() != 14) throw Napi::Error::New(env, "zoobot-native: pooling geometry needs 14 integers");
  const int32_t* v = gArr.Data();
  const int64_t n = v[0], ih = v[1], iw = v[2], c = v[3], oh = v[4], ow = v[5], kh = v[6], kw = v[7], sh = v[8], sw = v[9], pt = v[10], pl = v[11];
  const float* x = f32(info[1], n * ih * iw * c, "x");
  const float* dy = f32(info[2], n * oh * ow * c, "dy");
  float* dx = f32(info[3], n * ih * iw * c, "dx");
  // Images never share dx, so each thread takes whole images.
  forRowParts(n, static_cast<double>(n) * ih * iw * c, [&](int64_t firstImage, int64_t endImage, int) {
    std::fill(dx + firstImage * ih * iw * c, dx + endImage * ih * iw * c, 0.f);
    std::vector<float> best(c);
    std::vector<int64_t> where(c);
    for (int64_t b = firstImage; b < endImage; ++b) {
      for (int64_t r = 0; r < oh; ++r) {
        for (int64_t q = 0; q < ow; ++q) {
          std::fill(best.begin(), best.end(), -INFINITY);
          std::fill(where.begin(), where.end(), int64_t(-1));
          for (int64_t i = std::max<int64_t>(0, r * sh - pt); i < std::min(ih, r * sh - pt + kh); ++i) {
            for (int64_t j = std::max<int64_t>(0, q * sw - pl); j < std::min(iw, q * sw - pl + kw); ++j) {
              const int64_t at = ((b * ih + i) * iw + j) * c;
              const float* xs = x + at;
#pragma omp simd
              for (int64_t k = 0; k < c; ++k) {
                const float value = xs[k];
                const bool greater = value > best[k];
                best[k] = greater ? value : best[k];
                where[k] = greater ? at : where[k];
              }
            }
          }
          const float* g = dy + ((b * oh + r) * ow + q) * c;
          for (int64_t k = 0; k < c; ++k)
            if (where[k] >= 0) dx[where[k] + k] += g[k];
        }
      }
    }
  });
  return env.Undefined();
}

// Elementwise work that dominates a training step once convolutions are native (bias and ReLU
// gradients, Adam's updates): plain loops on the calling thread. They are bound by memory bandwidth,
// and OpenMP regions around them cost more than they gain once another process wants the cores
// (measured: 5x slower per step on a loaded 2-core machine).

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };

// Loops over out's dims (outermost first); a and b advance by their strides (0 along broadcast dims).
template <typename F>
void stridedLoop(int dim, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb,
                 const float* a, const float* b, float*& out, F f) {
  const int64_t n = shape[dim];
  if (dim == rank - 1) {
    float* o = out;
    if (n == 0) return;
    if (sa[dim] == 1 && sb[dim] == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
    } else if (sa[dim] == 1) {
      const float bv = *b;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
    } else if (sb[dim] == 1) {
      const float av = *a;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
    } else {
      const float av = *a, bv = *b;
      for (int64_t i = 0; i < n; ++i) o[i] = f(av, bv);
    }
    out += n;
    return;
  }
  for (int64_t i = 0; i < n; ++i) stridedLoop(dim + 1, rank, shape, sa, sb, a + i * sa[dim], b + i * sb[dim], out, f);
}

// binary(op, a, b, out, geometry: Int32Array [rank, shape..., aStrides..., bStrides...]): out = a op b
// with broadcasting expressed as element strides (0 where an operand repeats).
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto a = floats(info[1], "a"), b = floats(info[2], "b"), out = floats(info[3], "out");
  auto geometry = info[4].As<Napi::Int32Array>();
  const int32_t* g = geometry.Data();
  const int rank = g[0];
  if (rank < 1 || rank > 8 || geometry.ElementLength() != static_cast<size_t>(1 + 3 * rank)) {
    throw Napi::RangeError::New(env, "zoobot-native: binary geometry must be [rank, shape, aStrides, bStrides] with rank 1-8");
  }
  int64_t shape[8], sa[8], sb[8], size = 1, lastA = 0, lastB = 0;
  for (int d = 0; d < rank; ++d) {
    shape[d] = g[1 + d], sa[d] = g[1 + rank + d], sb[d] = g[1 + 2 * rank + d];
    size *= shape[d];
    lastA += (shape[d] - 1) * sa[d], lastB += (shape[d] - 1) * sb[d];
  }
  if (static_cast<int64_t>(out.ElementLength()) != size || lastA >= static_cast<int64_t>(a.ElementLength()) || lastB >= static_cast<int64_t>(b.ElementLength())) {
    throw Napi::RangeError::New(env, "zoobot-native: binary geometry does not fit its operands");
  }
  if (op < kAdd || op > kDiv) throw Napi::Error::New(env, "zoobot-native: unknown binary op");
  // Large operands split along the outermost axis (a rank-1 one is viewed as [1, n]).
  if (rank == 1) {
    shape[1] = shape[0], sa[1] = sa[0], sb[1] = sb[0];
    shape[0] = 1, sa[0] = 0, sb[0] = 0;
  }
  const int loopRank = std::max(rank, 2);
  const int64_t inner = size / std::max<int64_t>(shape[0], 1);
  const float *pa = a.Data(), *pb = b.Data();
  float* po = out.Data();
  forRowParts(shape[0], static_cast<double>(size), [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      float* o = po + i * inner;
      const float *ai = pa + i * sa[0], *bi = pb + i * sb[0];
      switch (op) {
        case kAdd: stridedLoop(1, loopRank, shape, sa, sb, ai, bi, o, [](float x, float y) { return x + y; }); break;
        case kSub: stridedLoop(1, loopRank, shape, sa, sb, ai, bi, o, [](float x, float y) { return x - y; }); break;
        case kMul: stridedLoop(1, loopRank, shape, sa, sb, ai, bi, o, [](float x, float y) { return x * y; }); break;
        default: stridedLoop(1, loopRank, shape, sa, sb, ai, bi, o, [](float x, float y) { return x / y; }); break;
      }
    }
  });
  return env.Undefined();
}

// affine(x, scale, shift, out): out = x * scale[c] + shift[c] along x's last axis of length c
// (inference batch norm, with scale and shift folded from mean, variance, gamma and beta).
Napi::Value Affine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = floats(info[0], "x"), scale = floats(info[1], "scale"), shift = floats(info[2], "shift"), out = floats(info[3], "out");
  const auto [rows, c] = channelSpan(env, x, scale, "affine");
  const int64_t n = rows * c;
  requireLength(env, shift, c, "shift");
  requireLength(env, out, n, "out");
  const float *px = x.Data(), *ps = scale.Data(), *pt = shift.Data();
  float* po = out.Data();
  forRowParts(rows, static_cast<double>(n), [&](int64_t begin, int64_t end, int) {
    for (int64_t o = begin; o < end; ++o)
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) po[o * c + j] = px[o * c + j] * ps[j] + pt[j];
  });
  return env.Undefined();
}

std::map<int64_t, dnnl::eltwise_forward> sigmoidCache;

enum UnaryOp { kReluOp = 0, kStep = 1, kSqrt = 2, kSquare = 3, kSigmoidOp = 4 };

// unary(op, x, out, alpha): ReLU, Step (1 where x > 0, else alpha; NaN stays NaN), sqrt, square, sigmoid.
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto x = floats(info[1], "x"), out = floats(info[2], "out");
  const float alpha = info[3].As<Napi::Number>().FloatValue();
  const int64_t n = x.ElementLength();
  if (out.ElementLength() != static_cast<size_t>(n)) throw Napi::RangeError::New(env, "zoobot-native: unary output length differs");
  const float* px = x.Data();
  float* po = out.Data();
  switch (op) {
    case kReluOp:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] < 0.f ? 0.f : px[i];  // NaN passes through, as in tfjs
      break;
    case kStep:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] != px[i] ? px[i] : (px[i] > 0.f ? 1.f : alpha);
      break;
    case kSqrt:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) po[i] = std::sqrt(px[i]);
      break;
    case kSquare:
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] * px[i];
      break;
    case kSigmoidOp: {
      // oneDNN's vectorised logistic: the scalar expf loop took 60 ns per element (EfficientNet's swish).
      const ThreadScope threads(static_cast<double>(n));
      auto& engine = cpuEngine();
      auto found = sigmoidCache.find(n);
      if (found == sigmoidCache.end()) {
        if (sigmoidCache.size() >= kMaxCachedPrimitives) sigmoidCache.clear();
        const memory::desc md({n}, memory::data_type::f32, memory::format_tag::x);
        dnnl::eltwise_forward::desc d(prop_kind::forward_inference, algorithm::eltwise_logistic, md);
        found = sigmoidCache.emplace(n, dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, engine))).first;
      }
      const memory::desc md({n}, memory::data_type::f32, memory::format_tag::x);
      found->second.execute(cpuStream(), {{DNNL_ARG_SRC, memory(md, engine, const_cast<float*>(px))}, {DNNL_ARG_DST, memory(md, engine, po)}});
      cpuStream().wait();
      break;
    }
    default: throw Napi::Error::New(env, "zoobot-native: unknown unary op");
  }
  return env.Undefined();
}

// sum(x, out, outer, reduced, inner, scale): x viewed as [outer, reduced, inner], summed over the
// middle axis and multiplied by scale (1 for Sum, 1/reduced for Mean): out is [outer, inner]. Double
// accumulators, so long sums lose less than the cpu backend's float32 running sums.
Napi::Value Sum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = floats(info[0], "x"), out = floats(info[1], "out");
  const int64_t outer = info[2].As<Napi::Number>().Int64Value(), reduced = info[3].As<Napi::Number>().Int64Value(),
                inner = info[4].As<Napi::Number>().Int64Value();
  const double scale = info[5].As<Napi::Number>().DoubleValue();
  if (static_cast<int64_t>(x.ElementLength()) != outer * reduced * inner || static_cast<int64_t>(out.ElementLength()) != outer * inner) {
    throw Napi::RangeError::New(env, "zoobot-native: sum lengths do not match [outer, reduced, inner]");
  }
  const float* px = x.Data();
  float* po = out.Data();
  const double work = static_cast<double>(outer) * reduced * inner;
  const auto sumRows = [&](const float* block, int64_t begin, int64_t end, double* acc) {
    for (int64_t r = begin; r < end; ++r)
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) acc[j] += block[r * inner + j];
  };
  if (outer == 1) {
    // One long sum (a bias gradient over every position): the reduced rows split between threads.
    ChannelSums sums(inner);
    const int parts = forRowParts(reduced, work, [&](int64_t begin, int64_t end, int part) { sumRows(px, begin, end, sums.part(part)); });
    const std::vector<double> total = sums.total(parts);
    for (int64_t j = 0; j < inner; ++j) po[j] = static_cast<float>(total[j] * scale);
    return env.Undefined();
  }
  forRowParts(outer, work, [&](int64_t begin, int64_t end, int) {
    std::vector<double> acc(inner);
    for (int64_t o = begin; o < end; ++o) {
      std::fill(acc.begin(), acc.end(), 0.0);
      sumRows(px + o * reduced * inner, 0, reduced, acc.data());
      for (int64_t j = 0; j < inner; ++j) po[o * inner + j] = static_cast<float>(acc[j] * scale);
    }
  });
  return env.Undefined();
}

// swish(x, y) and swishGrad(x, dy, dx): y = x * sigmoid(x) and its gradient dy * s * (1 + x * (1 - s)),
// each one vectorised oneDNN pass (tfjs-layers builds swish from Multiply, Sigmoid and Multiply, and
// its gradient from about eight more passes over the activation).
struct SwishEntry {
  dnnl::eltwise_forward fwd;
  dnnl::eltwise_backward bwd;
};
std::map<int64_t, SwishEntry> swishCache;

SwishEntry& swishPrimitives(int64_t n) {
  auto found = swishCache.find(n);
  if (found != swishCache.end()) return found->second;
  if (swishCache.size() >= kMaxCachedPrimitives) swishCache.clear();
  auto& engine = cpuEngine();
  const memory::desc md({n}, memory::data_type::f32, memory::format_tag::x);
  dnnl::eltwise_forward::primitive_desc fwd(
      dnnl::eltwise_forward::desc(prop_kind::forward_training, algorithm::eltwise_swish, md, 1.f), engine);
  dnnl::eltwise_backward::primitive_desc bwd(dnnl::eltwise_backward::desc(algorithm::eltwise_swish, md, md, 1.f), engine, fwd);
  return swishCache.emplace(n, SwishEntry{dnnl::eltwise_forward(fwd), dnnl::eltwise_backward(bwd)}).first->second;
}

// Runs oneDNN's swish over n floats (forward: src -> dst, which may be src), or its gradient at src.
void swishPass(int64_t n, float* src, float* dst, const float* dy = nullptr) {
  const ThreadScope threads(static_cast<double>(n));
  const memory::desc md({n}, memory::data_type::f32, memory::format_tag::x);
  auto& engine = cpuEngine();
  SwishEntry& e = swishPrimitives(n);
  if (dy == nullptr) {
    e.fwd.execute(cpuStream(), {{DNNL_ARG_SRC, memory(md, engine, src)}, {DNNL_ARG_DST, memory(md, engine, dst)}});
  } else {
    e.bwd.execute(cpuStream(), {{DNNL_ARG_SRC, memory(md, engine, src)}, {DNNL_ARG_DIFF_DST, memory(md, engine, const_cast<float*>(dy))},
                                {DNNL_ARG_DIFF_SRC, memory(md, engine, dst)}});
  }
  cpuStream().wait();
}

Napi::Value Swish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = floats(info[0], "x"), y = floats(info[1], "y");
  const int64_t n = x.ElementLength();
  if (n == 0 || static_cast<int64_t>(y.ElementLength()) != n) throw Napi::RangeError::New(env, "zoobot-native: swish needs x and y of one non-zero length");
  swishPass(n, x.Data(), y.Data());
  return env.Undefined();
}

Napi::Value SwishGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = floats(info[0], "x"), dy = floats(info[1], "dy"), dx = floats(info[2], "dx");
  const int64_t n = x.ElementLength();
  if (n == 0 || static_cast<int64_t>(dy.ElementLength()) != n || static_cast<int64_t>(dx.ElementLength()) != n) {
    throw Napi::RangeError::New(env, "zoobot-native: swishGrad needs x, dy and dx of one non-zero length");
  }
  swishPass(n, x.Data(), dx.Data(), dy.Data());
  return env.Undefined();
}

// Activations fused after a training batch norm: EfficientNet follows nearly every batch norm with
// swish, and keeping only x (not the normalised value too) for the gradient saves an activation each.
enum NormActivation { kNormLinear = 0, kNormSwish = 1 };

// One row of y = x * scale + shift per channel.
ZOOBOT_AVX2_CLONES void normaliseRow(int64_t c, const float* x, const float* scale, const float* shift, float* y) {
#pragma omp simd
  for (int64_t j = 0; j < c; ++j) y[j] = x[j] * scale[j] + shift[j];
}

// y = x * scale + shift per channel over rows, split between the threads.
void normaliseRows(int64_t rows, int64_t c, const float* x, const float* scale, const float* shift, float* y) {
  forRowParts(rows, static_cast<double>(rows) * c, [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) normaliseRow(c, x + r * c, scale, shift, y + r * c);
  });
}

// Per-channel statistics of a batch-norm gradient.
struct NormGradParams {
  const float *mu, *invStd;
};

// One row's share of sum(g) and sum(g * xhat).
ZOOBOT_AVX2_CLONES void normGradSumsRow(int64_t c, const NormGradParams& p, const float* g, const float* x, double* accG, double* accGXHat) {
#pragma omp simd
  for (int64_t j = 0; j < c; ++j) {
    const float xHat = (x[j] - p.mu[j]) * p.invStd[j];
    accG[j] += g[j];
    accGXHat[j] += g[j] * xHat;
  }
}

// One row of dx = k * (g - b - xhat * a); g may be dx itself.
ZOOBOT_AVX2_CLONES void normGradRow(int64_t c, const NormGradParams& p, const float* a, const float* b, const float* k, const float* g, const float* x, float* dx) {
#pragma omp simd
  for (int64_t j = 0; j < c; ++j) {
    const float xHat = (x[j] - p.mu[j]) * p.invStd[j];
    dx[j] = k[j] * (g[j] - b[j] - xHat * a[j]);
  }
}

// Training-mode batch normalisation over every axis but the last (c channels, rows = n / c):
// batchNormTrain(x, gamma, beta, epsilon, y, mean, variance, activation) and
// batchNormTrainGrad(dy, x, gamma, mean, variance, epsilon, dx, dgamma, dbeta, activation, beta).
// Per-channel sums in double, the variance from a second pass about the mean (as tfjs's moments), so
// the statistics match the cpu backend's to float32 rounding; each loop runs along the channels of
// one row. With swish, y = swish(z) for the normalised z (oneDNN's pass over y in place), and the
// gradient recomputes z from x into scratch instead of keeping it; swish's gradient at z (oneDNN, into
// dx) then enters the batch-norm gradient as dy did. (The same in one hand-vectorised pass each way,
// without FMA, ran 10% slower per EfficientNetB0 step.)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = floats(info[0], "x"), gamma = floats(info[1], "gamma"), beta = floats(info[2], "beta");
  const double epsilon = info[3].As<Napi::Number>().DoubleValue();
  auto y = floats(info[4], "y"), meanOut = floats(info[5], "mean"), varianceOut = floats(info[6], "variance");
  const auto [rows, c] = channelSpan(env, x, gamma, "batchNormTrain");
  for (auto* a : {&beta, &meanOut, &varianceOut}) requireLength(env, *a, c, "a per-channel argument");
  requireLength(env, y, rows * c, "y");
  const float* px = x.Data();
  const double work = static_cast<double>(rows) * c;
  ChannelSums sums(c), squares(c);
  const int parts = forRowParts(rows, work, [&](int64_t begin, int64_t end, int part) {
    double* acc = sums.part(part);
    for (int64_t r = begin; r < end; ++r)
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) acc[j] += px[r * c + j];
  });
  std::vector<double> mean = sums.total(parts);
  for (int64_t j = 0; j < c; ++j) mean[j] /= static_cast<double>(rows);
  forRowParts(rows, work, [&](int64_t begin, int64_t end, int part) {
    double* acc = squares.part(part);
    for (int64_t r = begin; r < end; ++r)
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        const double d = px[r * c + j] - mean[j];
        acc[j] += d * d;
      }
  });
  std::vector<double> variance = squares.total(parts);
  std::vector<float> scale(c), shift(c);
  for (int64_t j = 0; j < c; ++j) {
    variance[j] /= static_cast<double>(rows);
    const double s = gamma.Data()[j] / std::sqrt(variance[j] + epsilon);
    scale[j] = static_cast<float>(s);
    shift[j] = static_cast<float>(beta.Data()[j] - mean[j] * s);
    meanOut.Data()[j] = static_cast<float>(mean[j]);
    varianceOut.Data()[j] = static_cast<float>(variance[j]);
  }
  normaliseRows(rows, c, px, scale.data(), shift.data(), y.Data());
  if (info[7].As<Napi::Number>().Int32Value() == kNormSwish) swishPass(rows * c, y.Data(), y.Data());
  return env.Undefined();
}

// dx, dgamma and dbeta from g (dy, or swish's gradient: then g may be dx itself).
void batchNormGradRows(int64_t rows, int64_t c, const NormGradParams& p, const float* gamma, const float* g, const float* px, float* pdx, float* dgamma, float* dbeta) {
  const double work = static_cast<double>(rows) * c;
  ChannelSums gSums(c), gXHatSums(c);
  const int parts = forRowParts(rows, work, [&](int64_t begin, int64_t end, int part) {
    for (int64_t r = begin; r < end; ++r) normGradSumsRow(c, p, g + r * c, px + r * c, gSums.part(part), gXHatSums.part(part));
  });
  const std::vector<double> sumG = gSums.total(parts), sumGXHat = gXHatSums.total(parts);
  std::vector<float> a(c), b(c), k(c);  // dx = k * (g - b - xhat * a)
  for (int64_t j = 0; j < c; ++j) {
    a[j] = static_cast<float>(sumGXHat[j] / static_cast<double>(rows));
    b[j] = static_cast<float>(sumG[j] / static_cast<double>(rows));
    k[j] = gamma[j] * p.invStd[j];
    dgamma[j] = static_cast<float>(sumGXHat[j]);
    dbeta[j] = static_cast<float>(sumG[j]);
  }
  forRowParts(rows, work, [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) normGradRow(c, p, a.data(), b.data(), k.data(), g + r * c, px + r * c, pdx + r * c);
  });
}

Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto dy = floats(info[0], "dy"), x = floats(info[1], "x"), gamma = floats(info[2], "gamma"), mean = floats(info[3], "mean"), variance = floats(info[4], "variance");
  const double epsilon = info[5].As<Napi::Number>().DoubleValue();
  auto dx = floats(info[6], "dx"), dgamma = floats(info[7], "dgamma"), dbeta = floats(info[8], "dbeta");
  const bool swish = info[9].As<Napi::Number>().Int32Value() == kNormSwish;
  const auto [rows, c] = channelSpan(env, x, gamma, "batchNormTrainGrad");
  for (auto* a : {&mean, &variance, &dgamma, &dbeta}) requireLength(env, *a, c, "a per-channel argument");
  requireLength(env, dy, rows * c, "dy");
  requireLength(env, dx, rows * c, "dx");
  std::vector<float> mu(c), invStd(c);
  for (int64_t j = 0; j < c; ++j) {
    mu[j] = mean.Data()[j];
    invStd[j] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance.Data()[j]) + epsilon));
  }
  const NormGradParams params{mu.data(), invStd.data()};
  const float* g = dy.Data();
  if (swish) {
    auto beta = floats(info[10], "beta");
    requireLength(env, beta, c, "beta");
    // z = gamma * xhat + beta, recomputed from the saved statistics into scratch; then g = swish'(z) dy into dx.
    std::vector<float> scale(c), shift(c);
    for (int64_t j = 0; j < c; ++j) {
      scale[j] = gamma.Data()[j] * invStd[j];
      shift[j] = beta.Data()[j] - mu[j] * scale[j];
    }
    float* z = static_cast<float*>(srcScratch.reserve(static_cast<size_t>(rows * c) * sizeof(float)));
    normaliseRows(rows, c, x.Data(), scale.data(), shift.data(), z);
    swishPass(rows * c, z, dx.Data(), dy.Data());
    g = dx.Data();
  }
  batchNormGradRows(rows, c, params, gamma.Data(), g, x.Data(), dx.Data(), dgamma.Data(), dbeta.Data());
  return env.Undefined();
}

// copyBox(src, srcShape, begin, size, dst, dstShape, dstBegin): copies the box of src starting at
// `begin` with extent `size` into dst at `dstBegin` (Int32Arrays of one rank, 1-8). Slice and
// constant padding are both this copy; trailing axes that both arrays cover whole merge into one
// memcpy per run (JavaScript copied EfficientNet's 96-channel rows one subarray at a time).
void copyBoxAxis(int axis, int rank, const int64_t* size, const int64_t* srcStride, const int64_t* dstStride, const float* src, float* dst, int64_t run) {
  if (axis == rank) {
    std::memcpy(dst, src, run * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < size[axis]; ++i) copyBoxAxis(axis + 1, rank, size, srcStride, dstStride, src + i * srcStride[axis], dst + i * dstStride[axis], run);
}

Napi::Value CopyBox(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto src = floats(info[0], "src"), dst = floats(info[4], "dst");
  auto srcShape = info[1].As<Napi::Int32Array>(), begin = info[2].As<Napi::Int32Array>(), size = info[3].As<Napi::Int32Array>();
  auto dstShape = info[5].As<Napi::Int32Array>(), dstBegin = info[6].As<Napi::Int32Array>();
  const int rank = static_cast<int>(srcShape.ElementLength());
  if (rank < 1 || rank > 8) throw Napi::RangeError::New(env, "zoobot-native: copyBox takes ranks 1-8");
  for (auto* a : {&begin, &size, &dstShape, &dstBegin}) {
    if (static_cast<int>(a->ElementLength()) != rank) throw Napi::RangeError::New(env, "zoobot-native: copyBox shapes differ in rank");
  }
  int64_t srcStride[8], dstStride[8], extent[8];
  int64_t srcSize = 1, dstSize = 1, srcAt = 0, dstAt = 0;
  for (int d = rank - 1; d >= 0; --d) {
    if (begin[d] < 0 || size[d] < 0 || dstBegin[d] < 0 || begin[d] + size[d] > srcShape[d] || dstBegin[d] + size[d] > dstShape[d]) {
      throw Napi::RangeError::New(env, "zoobot-native: copyBox box lies outside an array");
    }
    srcStride[d] = srcSize, dstStride[d] = dstSize, extent[d] = size[d];
    srcAt += begin[d] * srcSize, dstAt += dstBegin[d] * dstSize;
    srcSize *= srcShape[d], dstSize *= dstShape[d];
  }
  if (static_cast<int64_t>(src.ElementLength()) != srcSize || static_cast<int64_t>(dst.ElementLength()) != dstSize) {
    throw Napi::RangeError::New(env, "zoobot-native: copyBox array lengths do not match their shapes");
  }
  for (int d = 0; d < rank; ++d) if (extent[d] == 0) return env.Undefined();
  // The contiguous run: the last axis, grown by each axis above it that the box covers in both arrays.
  int inner = rank - 1;
  int64_t run = extent[inner];
  while (inner > 0 && extent[inner] == srcShape[inner] && extent[inner] == dstShape[inner]) run *= extent[--inner];
  const float* from = src.Data() + srcAt;
  float* to = dst.Data() + dstAt;
  const double work = static_cast<double>(dstSize);
  if (inner == 0) {
    forRowParts(run, work, [&](int64_t begin, int64_t end, int) { std::memcpy(to + begin, from + begin, (end - begin) * sizeof(float)); });
  } else {
    // The outermost looped axis split between threads: its slices never overlap in dst.
    forRowParts(extent[0], work, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) copyBoxAxis(1, inner, extent, srcStride, dstStride, from + i * srcStride[0], to + i * dstStride[0], run);
    });
  }
  return env.Undefined();
}

// adamWUpdate(w, g, m, v, params: Float64Array [beta1, beta2, epsilon, correction1, correction2,
// learningRate, weightDecay], w2, m2, v2): one AdamW step for one variable in one pass, in the
// order of the composed ops it replaces (about 15 kernels, each a pass, per variable per step):
// m2 = b1 m + (1 - b1) g, v2 = b2 v + (1 - b2) g^2, w2 = w - lr ((m2 / c1) / (sqrt(v2 / c2) + eps) + wd w).
Napi::Value AdamWUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto w = floats(info[0], "w"), g = floats(info[1], "g"), m = floats(info[2], "m"), v = floats(info[3], "v");
  auto params = info[4].As<Napi::Float64Array>();
  auto w2 = floats(info[5], "w2"), m2 = floats(info[6], "m2"), v2 = floats(info[7], "v2");
  const int64_t n = w.ElementLength();
  for (auto* a : {&g, &m, &v, &w2, &m2, &v2}) requireLength(env, *a, n, "an AdamW operand");
  if (params.ElementLength() != 7) throw Napi::RangeError::New(env, "zoobot-native: adamWUpdate needs 7 parameters");
  const double* p = params.Data();
  const float b1 = static_cast<float>(p[0]), b2 = static_cast<float>(p[1]), eps = static_cast<float>(p[2]);
  const float c1 = static_cast<float>(p[3]), c2 = static_cast<float>(p[4]), lr = static_cast<float>(p[5]), wd = static_cast<float>(p[6]);
  const float a1 = static_cast<float>(1 - p[0]), a2 = static_cast<float>(1 - p[1]);
  const float *pw = w.Data(), *pg = g.Data(), *pm = m.Data(), *pv = v.Data();
  float *qw = w2.Data(), *qm = m2.Data(), *qv = v2.Data();
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const float mi = pm[i] * b1 + pg[i] * a1;
    const float vi = pv[i] * b2 + (pg[i] * pg[i]) * a2;
    const float step = (mi / c1) / (std::sqrt(vi / c2) + eps) + pw[i] * wd;
    qm[i] = mi;
    qv[i] = vi;
    qw[i] = pw[i] - step * lr;
  }
  return env.Undefined();
}

// reluBiasGrad(dy, y, dz, db): behind a ReLU with output y, dz = dy where y > 0, else 0 (NaN in y
// stays NaN, as tfjs's Step), and db[c] = the sum of dz over every position of channel c (the
// bias gradient); one pass instead of Step, Multiply and Sum. Double accumulators, as in sum().
Napi::Value ReluBiasGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto dy = floats(info[0], "dy"), y = floats(info[1], "y"), dz = floats(info[2], "dz"), db = floats(info[3], "db");
  const auto [rows, c] = channelSpan(env, dy, db, "reluBiasGrad");
  const int64_t n = rows * c;
  requireLength(env, y, n, "y");
  requireLength(env, dz, n, "dz");
  const float *pdy = dy.Data(), *py = y.Data();
  float* pdz = dz.Data();
  // Written so that it vectorises: a conditional load of dy compiled to a branch, which on a random
  // mask took 121 ms for 16.8 million elements (Step, Multiply and Sum: 33 ms); the mask and the
  // per-channel sums run as two simple loops over cache-sized blocks of rows.
  ChannelSums sums(c);
  const int64_t rowsPerBlock = std::max<int64_t>(1, 4096 / c);
  const int parts = forRowParts(rows, static_cast<double>(n), [&](int64_t beginRow, int64_t endRow, int part) {
    double* acc = sums.part(part);
    for (int64_t start = beginRow * c; start < endRow * c; start += rowsPerBlock * c) {
      const int64_t end = std::min(endRow * c, start + rowsPerBlock * c);
#pragma omp simd
      for (int64_t i = start; i < end; ++i) {
        const float v = py[i], d = pdy[i];
        const float g = v > 0.f ? d : 0.f;
        pdz[i] = v != v ? v : g;
      }
      for (int64_t o = start; o < end; o += c)
#pragma omp simd
        for (int64_t j = 0; j < c; ++j) acc[j] += pdz[o + j];
    }
  });
  const std::vector<double> total = sums.total(parts);
  float* pdb = db.Data();
  for (int64_t j = 0; j < c; ++j) pdb[j] = static_cast<float>(total[j]);
  return env.Undefined();
}

// threads(n?): oneDNN's OpenMP thread count, set when n is given (the cached primitives partition
// their work for the old count, so they are dropped). Returns the count in effect.
Napi::Value Threads(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) {
    const int n = info[0].As<Napi::Number>().Int32Value();
    if (n < 1) throw Napi::RangeError::New(info.Env(), "zoobot-native: threads must be at least 1");
    configuredThreads = n;
    omp_set_num_threads(n);
    convCache.clear();
    poolCache.clear();
    sigmoidCache.clear();
    swishCache.clear();
  }
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

// Which implementation oneDNN picked for a forward convolution (for benchmarks and debugging).
Napi::Value ConvImplementation(const Napi::CallbackInfo& info) {
  const ConvGeometry g = readGeometry(info[0].As<Napi::Int32Array>());
  dnnl::convolution_forward::desc d(prop_kind::forward_inference, algorithm::convolution_direct, nhwc(g.n, g.ih, g.iw, g.ic),
                                    anyFilter(g), nhwc(g.n, g.oh, g.ow, g.oc), {g.sh, g.sw}, {g.dh - 1, g.dw - 1}, {g.pt, g.pl}, {g.pb, g.pr});
  return Napi::String::New(info.Env(), dnnl::convolution_forward::primitive_desc(d, cpuEngine()).impl_info_str());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  configuredThreads = omp_get_max_threads();  // OMP_NUM_THREADS, or every core
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("pool", Napi::Function::New(env, Pool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("affine", Napi::Function::New(env, Affine));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("sum", Napi::Function::New(env, Sum));
  exports.Set("reluBiasGrad", Napi::Function::New(env, ReluBiasGrad));
  exports.Set("swish", Napi::Function::New(env, Swish));
  exports.Set("copyBox", Napi::Function::New(env, CopyBox));
  exports.Set("adamWUpdate", Napi::Function::New(env, AdamWUpdate));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("swishGrad", Napi::Function::New(env, SwishGrad));
  exports.Set("convImplementation", Napi::Function::New(env, ConvImplementation));
  const dnnl_version_t* version = dnnl_version();
  exports.Set("onednnVersion", Napi::String::New(env, std::to_string(version->major) + "." + std::to_string(version->minor) + "." + std::to_string(version->patch)));
  return exports;
}

}  // namespace

NODE_API_MODULE(zoobot_native, Init)
