using System.Runtime.InteropServices;
using Hearth.Gguf;
using Hearth.Numerics;
using Hearth.Tests.Oracle;

namespace Hearth.Tests.Architectures;

/// <summary>
/// Writes one small random-weight GGUF with llama.cpp's key and tensor names (gguf-py constants), using Hearth's writer
/// and quantizers. Matrices are N(0, gain²/fan_in) so projections keep unit scale; norm weights 1 + N(0, 0.1²). One seeded
/// generator: the same calls give the same bytes.
/// </summary>
internal sealed class ArchitectureModelWriter(string arch, GgmlType weightType, int seed)
{
    private readonly GgufWriter _w = new(version: 3);
    private readonly Random _rng = new(seed);

    public string Arch => arch;

    public void U32(string key, int v) => _w.SetMetadata($"{arch}.{key}", GgufValue.UInt32((uint)v));

    public void F32(string key, float v) => _w.SetMetadata($"{arch}.{key}", GgufValue.Float32(v));

    public void Bool(string key, bool v) => _w.SetMetadata($"{arch}.{key}", GgufValue.Bool(v));

    public void Str(string key, string v) => _w.SetMetadata($"{arch}.{key}", GgufValue.String(v));

    /// <summary>A per-layer value (llama.cpp's get_key_or_arr arrays).</summary>
    public void U32Array(string key, int[] v) => _w.SetMetadata($"{arch}.{key}", GgufValue.Array(Array.ConvertAll(v, x => (uint)x)));

    public void BoolArray(string key, bool[] v) => _w.SetMetadata($"{arch}.{key}", GgufValue.Array(v));

    /// <summary>An F32 tensor of exactly these values.</summary>
    public void Values(string name, float[] v) => _w.AddTensor(name, GgmlType.F32, [v.Length], MemoryMarshal.AsBytes(v.AsSpan()).ToArray());
    /// <summary>A per-layer (or per-section) integer array, e.g. LFM2's head_count_kv.</summary>
    public void U32Array(string key, uint[] v) => _w.SetMetadata($"{arch}.{key}", GgufValue.Array(v));

    /// <summary>Any metadata key, as given (e.g. tokenizer.* copied from a real vocabulary file).</summary>
    public void Metadata(string key, GgufValue v) => _w.SetMetadata(key, v);

    /// <summary>general.* and the architecture's common hyper-parameters, without a vocabulary.</summary>
    public void General(int nEmbd, int blocks, int nFf, int heads, int headsKv, int contextLength = 512)
    {
        _w.SetMetadata("general.architecture", GgufValue.String(arch));
        _w.SetMetadata("general.name", GgufValue.String("hearth-test-" + arch));
        _w.SetMetadata("general.file_type", GgufValue.UInt32(weightType == GgmlType.F32 ? 0u : ModelQuantizer.FileType(weightType)));
        U32("context_length", contextLength);
        U32("embedding_length", nEmbd);
        U32("block_count", blocks);
        U32("feed_forward_length", nFf);
        U32("attention.head_count", heads);
        U32("attention.head_count_kv", headsKv);
    }

    /// <summary>general.*, the common hyper-parameters and a synthetic SentencePiece vocabulary.</summary>
    public void Header(int nEmbd, int blocks, int nFf, int heads, int headsKv, int vocab, float ropeBase = 10000f)
    {
        _w.SetMetadata("general.architecture", GgufValue.String(arch));
        _w.SetMetadata("general.name", GgufValue.String("hearth-test-" + arch));
        _w.SetMetadata("general.file_type", GgufValue.UInt32(weightType == GgmlType.F32 ? 0u : ModelQuantizer.FileType(weightType)));
        U32("context_length", 512);
        U32("embedding_length", nEmbd);
        U32("block_count", blocks);
        U32("feed_forward_length", nFf);
        U32("attention.head_count", heads);
        U32("attention.head_count_kv", headsKv);
        F32("attention.layer_norm_rms_epsilon", 1e-6f);
        F32("rope.freq_base", ropeBase);
        var (tokens, scores, types) = SyntheticVocabulary.Build(vocab);
        if (arch == "phi3")
        {
            // llama.cpp's vocabulary loader looks Phi-3's end-of-text token up by name.
            tokens[^1] = "<|endoftext|>";
            tokens[^2] = "<|end|>";
            types[^1] = types[^2] = 3; // control
        }
        _w.SetMetadata("tokenizer.ggml.model", GgufValue.String("llama"));
        _w.SetMetadata("tokenizer.ggml.tokens", GgufValue.Array(tokens));
        _w.SetMetadata("tokenizer.ggml.scores", GgufValue.Array(scores));
        _w.SetMetadata("tokenizer.ggml.token_type", GgufValue.Array(types));
        _w.SetMetadata("tokenizer.ggml.unknown_token_id", GgufValue.UInt32(SyntheticVocabulary.Unknown));
        _w.SetMetadata("tokenizer.ggml.bos_token_id", GgufValue.UInt32(SyntheticVocabulary.Bos));
        _w.SetMetadata("tokenizer.ggml.eos_token_id", GgufValue.UInt32(SyntheticVocabulary.Eos));
        _w.SetMetadata("tokenizer.ggml.add_bos_token", GgufValue.Bool(true));
        _w.SetMetadata("tokenizer.ggml.add_eos_token", GgufValue.Bool(false));
    }

    /// <summary>A [cols, rows] matrix of N(0, (gain/sqrt(cols))²) in the file's weight type (or <paramref name="type"/>).</summary>
    public void Matrix(string name, int cols, int rows, float gain = 1f, GgmlType? type = null) =>
        Tensor(name, [cols, rows], cols, rows, gain / MathF.Sqrt(cols), type ?? weightType);

    /// <summary>A [cols, rows, slices] tensor (experts, heads), each slice like <see cref="Matrix"/>.</summary>
    public void Tensor3(string name, int cols, int rows, int slices, float gain = 1f, GgmlType? type = null) =>
        Tensor(name, [cols, rows, slices], cols, rows * slices, gain / MathF.Sqrt(cols), type ?? weightType);

    /// <summary>An F32 vector of mean + N(0, std²).</summary>
    public void Vector(string name, int n, float mean = 1f, float std = 0.1f) => Floats(name, [n], mean, std);

    /// <summary>An F32 tensor of any shape (per-expert biases: [n, n_expert]) of mean + N(0, std²).</summary>
    public void Floats(string name, long[] dims, float mean, float std)
    {
        long count = 1;
        foreach (long d in dims) count *= d;
        var v = new float[count];
        for (int i = 0; i < v.Length; i++) v[i] = mean + std * Normal();
        _w.AddTensor(name, GgmlType.F32, dims, MemoryMarshal.AsBytes(v.AsSpan()).ToArray());
    }

    /// <summary>An F16 vector of mean + N(0, std²) (norm weights as some uploads store them).</summary>
    public void VectorF16(string name, int n, float mean = 1f, float std = 0.1f)
    {
        var v = new byte[2 * n];
        for (int i = 0; i < n; i++) BitConverter.TryWriteBytes(v.AsSpan(2 * i, 2), Fp16.FromFloat(mean + std * Normal()));
        _w.AddTensor(name, GgmlType.F16, [n], v);
    }

    /// <summary>A tensor of already encoded <paramref name="data"/>.</summary>
    public void RawTensor(string name, GgmlType type, long[] dims, byte[] data) => _w.AddTensor(name, type, dims, data);

    public void WriteTo(string path) => _w.WriteTo(path);

    private void Tensor(string name, long[] dims, int cols, int rows, float std, GgmlType type)
    {
        var traits = TensorTypes.Get(type);
        long rowBytes = traits.RowBytes(cols);
        var data = new byte[checked(rowBytes * rows)];
        var row = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) row[c] = std * Normal();
            TestQuantizer.Quantize(type, row, data.AsSpan((int)(r * rowBytes), (int)rowBytes), _rng);
        }
        _w.AddTensor(name, type, dims, data);
    }

    private float Normal()
    {
        double u1 = 1.0 - _rng.NextDouble(), u2 = _rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
