using Hearth.Gguf;
using Hearth.Inference;
using Hearth.Tests.Api;

namespace Hearth.Tests.Gguf;

/// <summary>Models split with the gguf-split convention open as one model, every part mapped, and bad splits are refused by name.</summary>
public sealed class GgufSplitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hearth-split-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] SplitStories(int parts = 3)
    {
        using var source = GgufFile.Open(Stories.ModelPath);
        return GgufSplit.Write(source, Path.Combine(_dir, "stories260K"), parts);
    }

    private static int[] Greedy(Model model, int[] prompt, int n)
    {
        using var session = model.CreateSession(256);
        var ids = new int[n];
        ids[0] = ArgMax(session.Evaluate(prompt));
        for (int i = 1; i < n; i++) ids[i] = ArgMax(session.Evaluate([ids[i - 1]]));
        return ids;
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

    [Fact]
    public void A_model_split_in_three_generates_the_same_tokens_as_the_whole_file()
    {
        string[] parts = SplitStories();
        Assert.Equal(["stories260K-00001-of-00003.gguf", "stories260K-00002-of-00003.gguf", "stories260K-00003-of-00003.gguf"],
            parts.Select(Path.GetFileName));
        var (prompt, expected, _) = Stories.OnceUponATime();
        using var whole = Stories.Load();
        int[] reference = Greedy(whole, prompt, 24);
        Assert.Equal(expected[..24], reference);

        // Any part opens the whole set.
        foreach (string entry in new[] { parts[0], parts[2] })
        {
            using var split = Model.Load(entry, new ModelOptions { Threads = 1 });
            Assert.Equal(3, split.File.PartCount);
            Assert.Equal(parts, split.File.PartPaths);
            Assert.Equal(whole.File.Tensors.Count, split.File.Tensors.Count);
            Assert.Equal(parts.Sum(p => new FileInfo(p).Length), split.File.Length);
            Assert.Equal(whole.File.GetString("general.architecture"), split.File.GetString("general.architecture"));
            Assert.Equal(reference, Greedy(split, prompt, 24));
        }
    }

    [Fact]
    public void Split_tensors_are_views_of_each_part_with_the_original_bytes()
    {
        string[] parts = SplitStories();
        using var whole = GgufFile.Open(Stories.ModelPath);
        using var split = GgufFile.Open(parts[0]);
        var used = new HashSet<int>();
        foreach (var t in whole.Tensors)
        {
            var s = split.FindTensor(t.Name);
            Assert.NotNull(s);
            used.Add(s.Part);
            Assert.True(whole.GetTensorData(t).SequenceEqual(split.GetTensorData(s)), t.Name);
        }
        Assert.Equal([0, 1, 2], used.Order());
        // Only the first part carries the model's metadata; the others carry the split keys alone.
        using var second = GgufMapping.Map(parts[1]);
        Assert.True(second.Length < new FileInfo(parts[0]).Length);
    }

    [Fact]
    public void A_missing_part_is_named()
    {
        string[] parts = SplitStories();
        File.Delete(parts[1]);
        var e = Assert.Throws<FileNotFoundException>(() => GgufFile.Open(parts[0]));
        Assert.Contains("part 2 is missing", e.Message);
        Assert.Contains("stories260K-00002-of-00003.gguf", e.Message);
    }

    [Fact]
    public void A_part_with_another_count_is_refused()
    {
        string[] parts = SplitStories();
        Rewrite(parts[2], w => w.SetMetadata(GgufSplit.CountKey, new GgufValue(GgufValueType.UInt16, (ushort)4)));
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(parts[0]));
        Assert.Contains("says the model has 4 parts, but the first part says 3", e.Message);
    }

    [Fact]
    public void A_part_out_of_place_is_refused()
    {
        string[] parts = SplitStories();
        Rewrite(parts[1], w => w.SetMetadata(GgufSplit.NoKey, new GgufValue(GgufValueType.UInt16, (ushort)2)));
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(parts[0]));
        Assert.Contains("split.no = 2, expected 1", e.Message);
    }

    [Fact]
    public void A_wrong_tensor_total_is_refused()
    {
        string[] parts = SplitStories();
        Rewrite(parts[0], w => w.SetMetadata(GgufSplit.TensorsCountKey, GgufValue.Int32(1000)));
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(parts[0]));
        Assert.Contains("should hold 1000 tensors", e.Message);
    }

    [Fact]
    public void A_renamed_part_says_why_the_others_cannot_be_found()
    {
        string[] parts = SplitStories();
        string renamed = Path.Combine(_dir, "model.gguf");
        File.Move(parts[0], renamed);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(renamed));
        Assert.Contains("part 1 of a model split in 3", e.Message);
        Assert.Contains("-00001-of-00003.gguf", e.Message);
    }

    [Fact]
    public void A_split_part_in_memory_is_refused()
    {
        string[] parts = SplitStories();
        Assert.Throws<GgufFormatException>(() => GgufFile.FromBytes(File.ReadAllBytes(parts[0])));
    }

    private static void Rewrite(string path, Action<GgufWriter> change)
    {
        // Parsed from memory without the split checks, so a single part can be edited on its own.
        var writer = WriterOf(File.ReadAllBytes(path));
        change(writer);
        writer.WriteTo(path);
    }

    private static unsafe GgufWriter WriterOf(byte[] bytes)
    {
        fixed (byte* p = bytes)
        {
            var h = GgufReader.Parse(p, bytes.Length);
            var w = new GgufWriter(h.Version);
            foreach (var kv in h.Metadata) w.SetMetadata(kv.Key, kv.Value);
            foreach (var t in h.Tensors)
            {
                var data = bytes.AsMemory((int)(h.DataOffset + t.Offset), (int)t.ByteSize);
                w.AddTensor(t.Name, t.Type, [.. t.Dimensions], data);
            }
            return w;
        }
    }
}
