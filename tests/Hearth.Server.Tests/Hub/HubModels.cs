using Hearth.Gguf;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Server.Tests.Hub;

/// <summary>
/// The GGUF files the fake Hub serves, written by Hearth's writer from stories260K: the F32 model, and the model
/// quantized to Q8_0 and split in three with the gguf-split convention.
/// </summary>
internal static class HubModels
{
    public const string Repo = "hearth-test/stories260K-GGUF";

    public const string F32File = "stories260K-F32.gguf";

    public static readonly string[] Q8Parts =
    [
        "stories260K-Q8_0-00001-of-00003.gguf", "stories260K-Q8_0-00002-of-00003.gguf", "stories260K-Q8_0-00003-of-00003.gguf",
    ];

    private static readonly Lazy<Built> Files = new(Build);

    public static byte[] F32 => Files.Value.F32;

    public static IReadOnlyList<byte[]> Q8 => Files.Value.Q8;

    /// <summary>The unsplit Q8_0 file, as a local reference.</summary>
    public static string Q8WholePath => Files.Value.Q8Whole;

    public static byte[] Readme { get; } = "---\nlicense: mit\n---\n# stories260K GGUF (test)\n"u8.ToArray();

    /// <summary>A repository with every file, added to <paramref name="hub"/>.</summary>
    public static FakeRepo AddTo(FakeHub hub, string repo = Repo, string? token = null)
    {
        var r = hub.Add(repo, token).With("README.md", Readme).With(F32File, F32);
        for (int i = 0; i < Q8Parts.Length; i++) r.With(Q8Parts[i], Q8[i]);
        return r;
    }

    /// <summary>Greedy tokens after "Once upon a time".</summary>
    public static int[] Greedy(string path, int n = 12)
    {
        using var model = Model.Load(path, new ModelOptions { Threads = 1 });
        using var session = model.CreateSession(128);
        int[] prompt = model.Tokenizer.Encode("Once upon a time", addSpecial: true, parseSpecial: false);
        var ids = new int[n];
        ids[0] = ArgMax(session.Evaluate(prompt));
        for (int i = 1; i < n; i++) ids[i] = ArgMax(session.Evaluate([ids[i - 1]]));
        return ids;
    }

    private sealed record Built(byte[] F32, byte[][] Q8, string Q8Whole);

    private static Built Build()
    {
        string dir = Directory.CreateTempSubdirectory("hearth-hub-models-").FullName;
        using var source = GgufFile.Open(Servers.ModelPath);
        byte[] f32 = GgufWriter.From(source).ToArray();
        string q8 = Path.Combine(dir, "stories260K-Q8_0.gguf");
        ModelQuantizer.Quantize(source, q8, GgmlType.Q8_0);
        using var quantized = GgufFile.Open(q8);
        string[] parts = GgufSplit.Write(quantized, Path.Combine(dir, "stories260K-Q8_0"), 3);
        return new Built(f32, [.. parts.Select(File.ReadAllBytes)], q8);
    }

    /// <summary>The most likely token (ties to the lowest id), as greedy sampling picks.</summary>
    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
