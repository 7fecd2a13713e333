using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// The IQ and ternary types against ggml itself (the 2026 libggml-base.so of the @node-llama-cpp/linux-x64 3.21.1 npm
/// package): ggml's dequantize_row_* on 1024 seeded random blocks per type (enough to meet every grid entry and sign code
/// of every grid many times over) and ggml_quantize_chunk (no importance matrix) on random rows of several lengths. The
/// SHA-256 of ggml's output is recorded in ggml-iq-reference.txt, so a clone without the library (CI) still checks
/// Hearth against ggml's numbers; where the library is present the comparison is also made live, value by value, and
/// the recording is checked against it. HEARTH_RECORD_GGML=1 (with the library) rewrites the recording.
/// </summary>
public unsafe class GgmlIqReferenceTests
{
    private const string RecordFile = "tests/Hearth.Tests/Numerics/ggml-iq-reference.txt";
    private const string LibraryPath = "/work/llama/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so";
    private const int Blocks = 1024;

    public static TheoryData<string> DequantizeTypes => new()
    {
        "IQ4_NL", "IQ4_XS", "IQ3_XXS", "IQ3_S", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_S", "IQ1_M", "TQ1_0", "TQ2_0",
    };

    public static TheoryData<string> QuantizeTypes => new() { "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0" };

    private static readonly Lazy<nint> Library = new(() =>
    {
        string path = Environment.GetEnvironmentVariable("HEARTH_GGML_BASE") ?? LibraryPath;
        return File.Exists(path) && NativeLibrary.TryLoad(path, out nint h) ? h : 0;
    });

    private static readonly Lazy<Dictionary<string, string>> Recorded = new(() =>
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        string path = Path.Combine(Api.RepoFiles.Root, RecordFile);
        if (!File.Exists(path)) return d;
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int sp = line.LastIndexOf(' ');
            d[line[..sp]] = line[(sp + 1)..];
        }
        return d;
    });

    private static string GgmlName(GgmlType t) => t.ToString().ToLowerInvariant();

    private static byte[] RandomBlocksOf(GgmlType type)
    {
        var rng = new Random(7000 + (int)type);
        return QuantTestData.RandomBlocks(type, Blocks * TensorTypes.Get(type).BlockSize, rng, () => (float)(rng.NextDouble() * 2 + 0.01));
    }

    private static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    /// <summary>Compares against the recording (and rewrites it in record mode); fails if the key is not recorded.</summary>
    private static void CheckRecorded(string key, string hearthHash, string? ggmlHash)
    {
        if (Environment.GetEnvironmentVariable("HEARTH_RECORD_GGML") == "1")
        {
            Assert.True(ggmlHash != null, "HEARTH_RECORD_GGML=1 needs libggml-base.so (set HEARTH_GGML_BASE).");
            lock (Recorded)
            {
                Recorded.Value[key] = ggmlHash!;
                Save();
            }
            return;
        }
        Assert.True(Recorded.Value.TryGetValue(key, out string? recorded), $"{RecordFile} has no entry '{key}'.");
        if (ggmlHash != null) Assert.Equal(recorded, ggmlHash);
        Assert.True(recorded == hearthHash, $"{key}: Hearth's output (sha256 {hearthHash}) differs from ggml's ({recorded}).");
    }

    private static void Save()
    {
        var sb = new StringBuilder();
        sb.Append("# SHA-256 of ggml's outputs (libggml-base.so, @node-llama-cpp/linux-x64 3.21.1), written by GgmlIqReferenceTests\n");
        sb.Append("# with HEARTH_RECORD_GGML=1. dequantize <type>: float32 output of dequantize_row_<type> on 1024 seeded random blocks;\n");
        sb.Append("# quantize <type> <n> <seed>: bytes of ggml_quantize_chunk(<type>, QuantTestData.RandomRow(n, seed)), no importance matrix.\n");
        foreach (var kv in Recorded.Value.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append(kv.Key).Append(' ').Append(kv.Value).Append('\n');
        File.WriteAllText(Path.Combine(Api.RepoFiles.Root, RecordFile), sb.ToString());
    }

    [Theory]
    [MemberData(nameof(DequantizeTypes))]
    public void Dequantize_matches_ggml_on_random_blocks(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var traits = TensorTypes.Get(type);
        byte[] blocks = RandomBlocksOf(type);
        int n = Blocks * traits.BlockSize;
        var hearth = new float[n];
        traits.Dequantize(blocks, hearth);
        string? ggmlHash = null;
        if (Library.Value != 0)
        {
            var ggml = new float[n];
            var fn = (delegate* unmanaged<byte*, float*, long, void>)NativeLibrary.GetExport(Library.Value, "dequantize_row_" + GgmlName(type));
            fixed (byte* src = blocks)
            fixed (float* dst = ggml)
            {
                fn(src, dst, n);
            }
            for (int i = 0; i < n; i++)
            {
                if (BitConverter.SingleToUInt32Bits(ggml[i]) != BitConverter.SingleToUInt32Bits(hearth[i]))
                    Assert.Fail($"{type} value {i} (block {i / traits.BlockSize}): ggml {ggml[i]:R}, Hearth {hearth[i]:R}");
            }
            ggmlHash = Hash(MemoryMarshal.AsBytes(ggml.AsSpan()));
        }
        CheckRecorded("dequantize " + typeName, Hash(MemoryMarshal.AsBytes(hearth.AsSpan())), ggmlHash);
    }

    [Theory]
    [MemberData(nameof(QuantizeTypes))]
    public void Quantize_matches_ggml_on_random_rows(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var traits = TensorTypes.Get(type);
        int[] lengths = traits.BlockSize == 32 ? [32, 96, 256, 2080] : [256, 768, 2304];
        foreach (int n in lengths)
        {
            for (int seed = 1; seed <= 6; seed++)
            {
                float[] x = QuantTestData.RandomRow(n, 500 + seed);
                var hearth = new byte[traits.RowBytes(n)];
                traits.Quantize!(x, hearth);
                string? ggmlHash = null;
                if (Library.Value != 0)
                {
                    var ggml = new byte[hearth.Length];
                    var fn = (delegate* unmanaged<int, float*, byte*, long, long, long, float*, nuint>)NativeLibrary.GetExport(Library.Value, "ggml_quantize_chunk");
                    fixed (float* src = x)
                    fixed (byte* dst = ggml)
                    {
                        fn((int)type, src, dst, 0, 1, n, null);
                    }
                    for (int i = 0; i < ggml.Length; i++)
                    {
                        if (ggml[i] != hearth[i])
                            Assert.Fail($"{type} n={n} seed={seed}: first difference at byte {i} (block {i / traits.BytesPerBlock}): ggml 0x{ggml[i]:X2}, Hearth 0x{hearth[i]:X2}");
                    }
                    ggmlHash = Hash(ggml);
                }
                CheckRecorded($"quantize {typeName} {n} {500 + seed}", Hash(hearth), ggmlHash);
            }
        }
    }
}
