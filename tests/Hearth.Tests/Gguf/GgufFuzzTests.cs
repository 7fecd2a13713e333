using Hearth.Gguf;

namespace Hearth.Tests.Gguf;

/// <summary>Damaged copies of a real model either parse or fail with <see cref="GgufFormatException"/>: never another
/// exception type, never a hang.</summary>
public class GgufFuzzTests
{
    private const int Cases = 200;

    [Fact]
    public void Truncations_of_stories260K_fail_cleanly()
    {
        byte[] original = File.ReadAllBytes(TestData.PathOf("gguf/stories260K.gguf"));
        var rng = new Random(1234);
        RunWithin(TimeSpan.FromSeconds(60), () =>
        {
            for (int i = 0; i < Cases; i++)
            {
                int length = rng.Next(original.Length);
                var e = Assert.Throws<GgufFormatException>(() => GgufFile.FromBytes(original[..length]).Dispose());
                Assert.InRange(e.Offset, 0, length);
            }
        });
    }

    [Fact]
    public void Byte_flips_in_the_header_of_stories260K_parse_or_fail_cleanly()
    {
        byte[] original = File.ReadAllBytes(TestData.PathOf("gguf/stories260K.gguf"));
        long headerEnd;
        using (var f = GgufFile.FromBytes(original)) headerEnd = f.DataOffset;
        var rng = new Random(5678);
        int parsed = 0, refused = 0;
        RunWithin(TimeSpan.FromSeconds(60), () =>
        {
            for (int i = 0; i < Cases; i++)
            {
                byte[] damaged = (byte[])original.Clone();
                int flips = 1 + rng.Next(4);
                for (int k = 0; k < flips; k++)
                {
                    // Favour the first 64 bytes (magic, counts, first keys), where a flip changes the structure most.
                    int at = rng.Next(2) == 0 ? rng.Next(64) : rng.Next((int)headerEnd);
                    damaged[at] ^= (byte)(1 + rng.Next(255));
                }
                try
                {
                    GgufFile.FromBytes(damaged).Dispose();
                    parsed++;
                }
                catch (GgufFormatException e)
                {
                    Assert.InRange(e.Offset, 0, damaged.Length);
                    refused++;
                }
            }
        });
        // Both outcomes occur, so the test exercises the validation and not only one path.
        Assert.True(parsed > 0 && refused > 0, $"parsed {parsed}, refused {refused}");
    }

    private static void RunWithin(TimeSpan limit, Action body)
    {
        var task = Task.Run(body);
        Assert.True(task.Wait(limit), $"parsing damaged files took longer than {limit}: a hang");
        task.GetAwaiter().GetResult();
    }
}
