using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Gguf;

public class GgufWriterTests
{
    public static TheoryData<string> TestdataFiles()
    {
        var data = new TheoryData<string>();
        foreach (string dir in new[] { "gguf", "vocab" })
        {
            foreach (string p in Directory.GetFiles(TestData.PathOf(dir), "*.gguf").Order(StringComparer.Ordinal))
            {
                data.Add(dir + "/" + Path.GetFileName(p));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TestdataFiles))]
    public void Rewriting_a_testdata_file_reproduces_it_byte_for_byte(string relative)
    {
        string path = TestData.PathOf(relative);
        byte[] original = File.ReadAllBytes(path);
        using var file = GgufFile.Open(path);
        byte[] rewritten = GgufWriter.From(file).ToArray();
        Assert.Equal(original.Length, rewritten.Length);
        int firstDiff = original.AsSpan().CommonPrefixLength(rewritten);
        Assert.True(firstDiff == original.Length, $"{relative}: first differing byte at {firstDiff}");
    }

    [Fact]
    public void Every_value_type_survives_a_write_and_read()
    {
        var w = new GgufWriter();
        w.SetMetadata("u8", new GgufValue(GgufValueType.UInt8, (byte)200));
        w.SetMetadata("i8", new GgufValue(GgufValueType.Int8, (sbyte)-100));
        w.SetMetadata("u16", new GgufValue(GgufValueType.UInt16, (ushort)60000));
        w.SetMetadata("i16", new GgufValue(GgufValueType.Int16, (short)-30000));
        w.SetMetadata("u32", GgufValue.UInt32(4000000000));
        w.SetMetadata("i32", GgufValue.Int32(-2000000000));
        w.SetMetadata("f32", GgufValue.Float32(1.5f));
        w.SetMetadata("bool", GgufValue.Bool(true));
        w.SetMetadata("str", GgufValue.String("héllo ✓"));
        w.SetMetadata("u64", GgufValue.UInt64(ulong.MaxValue));
        w.SetMetadata("i64", new GgufValue(GgufValueType.Int64, long.MinValue));
        w.SetMetadata("f64", new GgufValue(GgufValueType.Float64, Math.PI));
        w.SetMetadata("strs", GgufValue.Array(new[] { "a", "", "ü" }));
        w.SetMetadata("f32s", GgufValue.Array(new[] { 1f, -2f }));
        w.SetMetadata("bools", GgufValue.Array(new[] { true, false }));
        w.SetMetadata("u64s", new GgufValue(GgufValueType.Array, new ulong[] { 1, 2, 3 }, GgufValueType.UInt64));
        w.SetMetadata("nested", new GgufValue(GgufValueType.Array, new[] { GgufValue.Array(new[] { 7, 8 }), GgufValue.Array(new[] { "x" }) }, GgufValueType.Array));
        byte[] bytes = w.ToArray();

        using var f = GgufFile.FromBytes(bytes);
        Assert.Equal((byte)200, f.Metadata["u8"].Value);
        Assert.Equal((sbyte)-100, f.Metadata["i8"].Value);
        Assert.Equal((ushort)60000, f.Metadata["u16"].Value);
        Assert.Equal((short)-30000, f.Metadata["i16"].Value);
        Assert.Equal(4000000000u, f.Metadata["u32"].Value);
        Assert.Equal(-2000000000, f.Metadata["i32"].Value);
        Assert.Equal(1.5f, f.Metadata["f32"].Value);
        Assert.Equal(true, f.GetBool("bool"));
        Assert.Equal("héllo ✓", f.GetString("str"));
        Assert.Equal(ulong.MaxValue, f.Metadata["u64"].Value);
        Assert.Equal(long.MinValue, f.GetInt64("i64"));
        Assert.Equal(Math.PI, f.GetDouble("f64"));
        Assert.Equal(new[] { "a", "", "ü" }, f.GetArray<string>("strs"));
        Assert.Equal(new[] { 1f, -2f }, f.GetArray<float>("f32s"));
        Assert.Equal(new[] { true, false }, f.GetArray<bool>("bools"));
        Assert.Equal(new ulong[] { 1, 2, 3 }, f.GetArray<ulong>("u64s"));
        var nested = f.GetArray<GgufValue>("nested")!;
        Assert.Equal(new[] { 7, 8 }, nested[0].Value);
        Assert.Equal(new[] { "x" }, nested[1].Value);
        Assert.Equal(bytes, GgufWriter.From(f).ToArray());
    }

    [Fact]
    public void Header_layout_matches_the_gguf_specification()
    {
        var w = new GgufWriter();
        w.SetMetadata("k", GgufValue.UInt32(7));
        w.AddTensor("t", GgmlType.F32, [3], new byte[12]);
        byte[] b = w.ToArray();
        // magic, version 3, 1 tensor, 1 kv; key "k" (len 1), type 4 (uint32), 7; tensor info "t", 1 dim of 3, type 0, offset 0.
        byte[] expectedHeader =
        [
            (byte)'G', (byte)'G', (byte)'U', (byte)'F', 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            1, 0, 0, 0, 0, 0, 0, 0, (byte)'k', 4, 0, 0, 0, 7, 0, 0, 0,
            1, 0, 0, 0, 0, 0, 0, 0, (byte)'t', 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(expectedHeader, b[..expectedHeader.Length]);
        // Header (74 bytes) padded to 96, then 12 data bytes padded to 32.
        Assert.Equal(96 + 32, b.Length);
        Assert.All(b[expectedHeader.Length..], x => Assert.Equal(0, x));
    }

    [Fact]
    public void Tensors_are_placed_at_aligned_offsets_in_order()
    {
        var w = new GgufWriter();
        w.SetMetadata("general.alignment", GgufValue.UInt32(64));
        byte[] a = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        byte[] c = Enumerable.Range(0, 34).Select(i => (byte)(100 + i)).ToArray();
        w.AddTensor("a", GgmlType.F32, [5], a);
        w.AddTensor("c", GgmlType.Q8_0, [32], c);
        using var f = GgufFile.FromBytes(w.ToArray());
        Assert.Equal(64, f.Alignment);
        Assert.Equal(0, f.DataOffset % 64);
        Assert.Equal(0, f.Tensors[0].Offset);
        Assert.Equal(64, f.Tensors[1].Offset);
        Assert.Equal(a, f.GetTensorData(f.Tensors[0]).ToArray());
        Assert.Equal(c, f.GetTensorData(f.Tensors[1]).ToArray());
        Assert.Equal(f.DataOffset + 128, f.Length);
    }

    [Fact]
    public void Setting_an_existing_key_replaces_it_in_place()
    {
        var w = new GgufWriter();
        w.SetMetadata("a", GgufValue.UInt32(1));
        w.SetMetadata("b", GgufValue.UInt32(2));
        w.SetMetadata("a", GgufValue.String("one"));
        using var f = GgufFile.FromBytes(w.ToArray());
        Assert.Equal(["a", "b"], f.MetadataEntries.Select(kv => kv.Key));
        Assert.Equal("one", f.GetString("a"));
    }

    [Fact]
    public void Strings_that_are_not_utf8_round_trip_exactly_and_still_read_as_text()
    {
        // A string array whose second element is the lone byte 0xFF, as a byte token of some vocabularies.
        var w = new GgufWriter();
        w.SetMetadata("toks", GgufValue.Array(new[] { "a", "PLACEHOLDER", "c" }));
        w.SetMetadata("one", GgufValue.String("PLACEHOLDER"));
        byte[] b = w.ToArray();
        ReplaceFirst(ref b, "PLACEHOLDER"u8, [0xFF]);
        ReplaceFirst(ref b, "PLACEHOLDER"u8, [0x41, 0xC3]);
        using var f = GgufFile.FromBytes(b);
        Assert.Equal(new[] { "a", "\uFFFD", "c" }, f.GetArray<string>("toks"));
        Assert.Equal("A\uFFFD", f.GetString("one"));
        Assert.Equal(b, GgufWriter.From(f).ToArray());
    }

    [Fact]
    public void AddTensor_rejects_wrong_data_length_shape_and_duplicates()
    {
        var w = new GgufWriter();
        Assert.Contains("needs 12 bytes", Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [3], new byte[11])).Message);
        Assert.Contains("block size 32", Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.Q8_0, [16], new byte[17])).Message);
        Assert.Contains("dimensions", Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [], new byte[4])).Message);
        Assert.Contains("dimensions", Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [1, 1, 1, 1, 1], new byte[4])).Message);
        Assert.Contains("unknown ggml type", Assert.Throws<ArgumentException>(() => w.AddTensor("t", (GgmlType)99, [1], new byte[4])).Message);
        w.AddTensor("t", GgmlType.F32, [3], new byte[12]);
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgmlType.F32, [3], new byte[12])).Message);
    }

    [Fact]
    public void SetMetadata_rejects_values_that_do_not_match_their_type_and_bad_alignment()
    {
        var w = new GgufWriter();
        Assert.Throws<ArgumentException>(() => w.SetMetadata("x", new GgufValue(GgufValueType.UInt32, 5)));
        Assert.Throws<ArgumentException>(() => w.SetMetadata("x", new GgufValue(GgufValueType.Array, new[] { 1 }, GgufValueType.Float32)));
        Assert.Contains("power of two", Assert.Throws<ArgumentException>(() => w.SetMetadata("general.alignment", GgufValue.UInt32(48))).Message);
        Assert.Contains("uint32", Assert.Throws<ArgumentException>(() => w.SetMetadata("general.alignment", GgufValue.Int32(32))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GgufWriter(1));
    }

    [Fact]
    public void Version_2_files_are_written_and_read()
    {
        var w = new GgufWriter(version: 2);
        w.SetMetadata("general.architecture", GgufValue.String("llama"));
        w.AddTensor("t", GgmlType.F16, [2, 2], new byte[8]);
        byte[] b = w.ToArray();
        Assert.Equal(2u, BitConverter.ToUInt32(b, 4));
        using var f = GgufFile.FromBytes(b);
        Assert.Equal(2u, f.Version);
        Assert.Equal(b, GgufWriter.From(f).ToArray());
    }

    private static void ReplaceFirst(ref byte[] b, ReadOnlySpan<byte> find, ReadOnlySpan<byte> replacement)
    {
        // Fix the 8-byte length prefix just before the string too.
        int at = b.AsSpan().IndexOf(find);
        Assert.True(at >= 8);
        var result = new byte[b.Length - find.Length + replacement.Length];
        b.AsSpan(0, at).CopyTo(result);
        BitConverter.TryWriteBytes(result.AsSpan(at - 8, 8), (ulong)replacement.Length);
        replacement.CopyTo(result.AsSpan(at));
        b.AsSpan(at + find.Length).CopyTo(result.AsSpan(at + replacement.Length));
        b = result;
    }
}
