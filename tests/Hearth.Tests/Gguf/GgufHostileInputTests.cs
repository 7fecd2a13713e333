using Hearth.Gguf;

namespace Hearth.Tests.Gguf;

/// <summary>One test per validation rule of the reader: each malformed file is refused with a message naming the
/// problem and the byte offset of the offending field (known here because <see cref="RawGguf"/> records it).</summary>
public class GgufHostileInputTests
{
    private static GgufFormatException Refused(byte[] bytes, long offset, string messagePart)
    {
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.FromBytes(bytes).Dispose());
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
        Assert.Equal(offset, e.Offset);
        Assert.Contains($"offset {offset}", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>A valid file: one uint32, a 3-string array, one F32 tensor of 4 elements (for truncation tests).</summary>
    private static (byte[] Bytes, long KeyAt, long ArrayThirdAt, long InfoDimsAt, long DataAt) ValidFile()
    {
        var r = new RawGguf().Header(tensors: 1, kvs: 2).KvU32("general.a", 1);
        long keyAt = r.Position;
        r.Str("tokens").U32(9).U32(8).U64(3).Str("x").Str("yy");
        long third = r.Position;
        r.Str("zzz");
        r.Str("w").U32(1);
        long dimsAt = r.Position;
        r.U64(4).U32(0).U64(0).PadTo(32);
        long dataAt = r.Position;
        r.Zeros(16).PadTo(32);
        return (r.ToArray(), keyAt, third, dimsAt, dataAt);
    }

    [Fact]
    public void The_valid_base_file_parses()
    {
        var v = ValidFile();
        using var f = GgufFile.FromBytes(v.Bytes);
        Assert.Equal(["x", "yy", "zzz"], f.GetArray<string>("tokens")!);
        Assert.Equal(v.DataAt, f.DataOffset);
    }

    [Fact]
    public void Bad_magic() => Refused(new RawGguf().U32(0x46554746).U32(3).U64(0).U64(0).ToArray(), 0, "Bad magic");

    [Fact]
    public void Version_1_is_refused_with_advice() => Refused(new RawGguf().Header(0, 0, version: 1).ToArray(), 4, "version 1 is not supported");

    [Fact]
    public void Version_4_is_refused() => Refused(new RawGguf().Header(0, 0, version: 4).ToArray(), 4, "Unsupported GGUF version 4");

    [Theory]
    [InlineData(2, 0)]   // inside the magic
    [InlineData(6, 4)]   // inside the version
    [InlineData(12, 8)]  // inside the tensor count
    [InlineData(20, 16)] // inside the metadata count
    public void Truncated_header(int length, long offset) =>
        Refused(ValidFile().Bytes[..length], offset, "truncated");

    [Fact]
    public void Truncated_inside_a_key()
    {
        var v = ValidFile();
        Refused(v.Bytes[..(int)(v.KeyAt + 8 + 3)], v.KeyAt, "metadata key claims 6 bytes but only 3 remain");
    }

    [Fact]
    public void Truncated_inside_a_string_array()
    {
        var v = ValidFile();
        Refused(v.Bytes[..(int)(v.ArrayThirdAt + 9)], v.ArrayThirdAt, "metadata 'tokens'[2] claims 3 bytes but only 1 remain");
    }

    [Fact]
    public void Truncated_inside_tensor_infos()
    {
        var v = ValidFile();
        Refused(v.Bytes[..(int)(v.InfoDimsAt + 5)], v.InfoDimsAt, "truncated");
    }

    [Fact]
    public void Truncated_inside_tensor_data()
    {
        var v = ValidFile();
        Refused(v.Bytes[..(int)(v.DataAt + 10)], v.DataAt, "Tensor 'w' data (16 bytes at");
    }

    [Fact]
    public void Truncated_before_the_data_section()
    {
        var v = ValidFile();
        Refused(v.Bytes[..(int)(v.DataAt - 4)], v.DataAt - 4, "tensor data should start at byte");
    }

    [Fact]
    public void Huge_string_length_is_refused_without_allocating()
    {
        var r = new RawGguf().Header(0, 1);
        long at = r.Position;
        byte[] b = r.U64(1UL << 62).Zeros(8).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(b, at, $"metadata key claims {1UL << 62} bytes");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "a hostile length must not drive an allocation");
    }

    [Fact]
    public void Huge_array_length_is_refused_without_allocating()
    {
        var r = new RawGguf().Header(0, 1).Str("a").U32(9).U32(6);
        long at = r.Position;
        byte[] b = r.U64(1UL << 62).Zeros(16).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(b, at, "Metadata 'a': array of 4611686018427387904 Float32 cannot fit");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "a hostile length must not drive an allocation");
    }

    [Fact]
    public void Huge_string_array_element_length() =>
        Refused(new RawGguf().Header(0, 1).Str("a").U32(9).U32(8).U64(1).U64(ulong.MaxValue).ToArray(), 49, "metadata 'a'[0] claims");

    [Fact]
    public void Tensor_count_beyond_the_file() =>
        Refused(new RawGguf().Header(1UL << 40, 0).Zeros(64).ToArray(), 8, "Tensor count 1099511627776 cannot fit");

    [Fact]
    public void Metadata_count_beyond_the_file() =>
        Refused(new RawGguf().Header(0, 1UL << 40).Zeros(64).ToArray(), 16, "Metadata count 1099511627776 cannot fit");

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Dimension_count_out_of_range(uint nDims)
    {
        var r = new RawGguf().Header(1, 0).Str("t");
        long at = r.Position;
        r.U32(nDims);
        for (int i = 0; i < nDims; i++) r.U64(1);
        Refused(r.U32(0).U64(0).Zeros(64).ToArray(), at, $"Tensor 't' has {nDims} dimensions; 1 to 4 are allowed");
    }

    [Fact]
    public void Dimension_product_overflow()
    {
        var r = new RawGguf().Header(1, 0).Str("t").U32(3).U64(1UL << 32).U64(1UL << 30);
        long at = r.Position;
        Refused(r.U64(1UL << 2).U32(0).U64(0).Zeros(64).ToArray(), at, "Tensor 't' element count overflows 64 bits");
    }

    [Fact]
    public void Byte_size_overflow()
    {
        // 2^62 F32 elements fit a long, their 2^64 bytes do not.
        var r = new RawGguf().Header(1, 0).Str("t");
        long at = r.Position;
        Refused(r.U32(1).U64(1UL << 62).U32(0).U64(0).Zeros(64).ToArray(), at, "Tensor 't' byte size overflows 64 bits");
    }

    [Fact]
    public void Dimension_beyond_int64()
    {
        var r = new RawGguf().Header(1, 0).Str("t").U32(1);
        long at = r.Position;
        Refused(r.U64(ulong.MaxValue).U32(0).U64(0).Zeros(64).ToArray(), at, "Tensor 't' dimension 0 is 18446744073709551615");
    }

    [Fact]
    public void Unknown_value_type()
    {
        var r = new RawGguf().Header(0, 1).Str("k");
        long at = r.Position;
        Refused(r.U32(13).U32(0).ToArray(), at, "Metadata 'k': unknown value type 13");
    }

    [Fact]
    public void Unknown_array_element_type()
    {
        var r = new RawGguf().Header(0, 1).Str("k").U32(9);
        long at = r.Position;
        Refused(r.U32(77).U64(1).U32(0).ToArray(), at, "Metadata 'k': unknown array element type 77");
    }

    [Fact]
    public void Unknown_tensor_type_id()
    {
        var r = new RawGguf().Header(1, 0).Str("t").U32(1).U64(4);
        long at = r.Position;
        Refused(r.U32(4).U64(0).Zeros(64).ToArray(), at, "Tensor 't' has unknown tensor type id 4");
    }

    [Fact]
    public void Row_length_not_a_multiple_of_the_block_size()
    {
        var r = new RawGguf().Header(1, 0).Str("t");
        long at = r.Position;
        Refused(r.U32(1).U64(16).U32(8).U64(0).Zeros(64).ToArray(), at, "row length 16 is not a multiple of Q8_0's block size 32");
    }

    [Fact]
    public void Tensor_offset_misaligned()
    {
        var r = new RawGguf().Header(1, 0).Str("t").U32(1).U64(4).U32(0);
        long at = r.Position;
        Refused(r.U64(8).Zeros(64).ToArray(), at, "Tensor 't' data offset 8 is not a multiple of the alignment 32");
    }

    [Fact]
    public void Tensor_offset_beyond_the_file()
    {
        var r = new RawGguf().Header(1, 0).Str("t").U32(1).U64(4).U32(0);
        long at = r.Position;
        Refused(r.U64(1UL << 40).Zeros(64).ToArray(), at, "lies beyond the end of the file");
    }

    [Fact]
    public void Tensor_data_outside_the_file()
    {
        // The second tensor starts inside the file but runs 32 bytes past its end.
        byte[] b = new RawGguf().Header(2, 0)
            .TensorInfo("a", [8], 0, 0).TensorInfo("b", [16], 0, 32).PadTo(32).Zeros(64).ToArray();
        long dataOffset = b.Length - 64;
        Refused(b, dataOffset + 32, "Tensor 'b' data (64 bytes at");
    }

    [Fact]
    public void Duplicate_key()
    {
        var r = new RawGguf().Header(0, 2).KvU32("k", 1);
        long at = r.Position;
        Refused(r.KvU32("k", 2).ToArray(), at, "Duplicate metadata key 'k'");
    }

    [Fact]
    public void Duplicate_tensor_name()
    {
        var r = new RawGguf().Header(2, 0).TensorInfo("t", [8], 0, 0);
        long at = r.Position;
        Refused(r.TensorInfo("t", [8], 0, 32).PadTo(32).Zeros(64).ToArray(), at, "Duplicate tensor name 't'");
    }

    [Fact]
    public void Alignment_not_a_power_of_two()
    {
        var r = new RawGguf().Header(0, 1).Str("general.alignment").U32(4);
        long at = r.Position;
        Refused(r.U32(48).ToArray(), at, "general.alignment 48 is not a power of two");
    }

    [Fact]
    public void Alignment_zero() =>
        Refused(new RawGguf().Header(0, 1).Str("general.alignment").U32(4).U32(0).ToArray(), 53, "general.alignment 0 is not a power of two");

    [Fact]
    public void Alignment_of_the_wrong_type()
    {
        var r = new RawGguf().Header(0, 1).Str("general.alignment");
        long at = r.Position;
        Refused(r.U32(10).U64(32).ToArray(), at, "general.alignment must be a uint32, found UInt64");
    }

    [Fact]
    public void Bool_neither_0_nor_1()
    {
        var r = new RawGguf().Header(0, 1).Str("b").U32(7);
        long at = r.Position;
        Refused(r.U8(2).ToArray(), at, "Metadata 'b': bool value 2 is neither 0 nor 1");
    }

    [Fact]
    public void Bool_array_element_neither_0_nor_1()
    {
        var r = new RawGguf().Header(0, 1).Str("b").U32(9).U32(7).U64(3).U8(1).U8(0);
        long at = r.Position;
        Refused(r.U8(255).ToArray(), at, "Metadata 'b': bool value 255 is neither 0 nor 1");
    }

    [Fact]
    public void Arrays_nested_too_deep()
    {
        var r = new RawGguf().Header(0, 1).Str("n").U32(9);
        for (int i = 0; i < 12; i++) r.U32(9).U64(1);
        r.U32(0).U64(0);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.FromBytes(r.ToArray()).Dispose());
        Assert.Contains("nested deeper than 8 levels", e.Message);
    }

    [Fact]
    public void Missing_file_is_FileNotFound()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-missing-{Guid.NewGuid():N}.gguf");
        var e = Assert.Throws<FileNotFoundException>(() => GgufFile.Open(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Empty_file_is_a_format_error()
    {
        string path = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path));
            Assert.Contains("empty", e.Message);
            Assert.Equal(0, e.Offset);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Short_file_on_disk_reports_bad_magic()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "hello");
            var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path));
            Assert.Contains("not a GGUF file", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Issue 18's hang: a 200 KB key on a 32 k-element string array. The reader once built an error-context string (with
    /// the key) per element, 32 k × 400 KB of UTF-16, which took 13 s; the work is now linear in the file size. Asserted on
    /// what the parse allocates (deterministic), not on time: the file is ~500 KB and the parse may allocate a few times that.
    /// </summary>
    [Fact]
    public void Long_key_on_a_long_string_array_parses_in_linear_work()
    {
        const int Elements = 32 * 1024;
        string key = new('k', 200 * 1024);
        var r = new RawGguf().Header(tensors: 0, kvs: 1).Str(key).U32(9).U32(8).U64(Elements);
        for (int i = 0; i < Elements; i++) r.Str("t");
        byte[] bytes = r.ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var f = GgufFile.FromBytes(bytes))
        {
            Assert.Equal(Elements, f.GetArray<string>(key)!.Length);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 16L * bytes.Length, $"parsing a {bytes.Length}-byte file allocated {allocated} bytes");
    }
}
