using System.Text;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

public class StreamDecoderTests
{
    [Fact]
    public void Holds_back_a_character_split_across_chunks()
    {
        byte[] euro = Encoding.UTF8.GetBytes("a€b😀"); // 61 | E2 82 AC | 62 | F0 9F 98 80
        var d = new Utf8StreamDecoder();
        Assert.Equal("a", d.Push(euro.AsSpan(0, 2)));
        Assert.True(d.HasPending);
        Assert.Equal("", d.Push(euro.AsSpan(2, 1)));
        Assert.Equal("€b", d.Push(euro.AsSpan(3, 2)));
        Assert.Equal("", d.Push(euro.AsSpan(5, 3)));
        Assert.Equal("😀", d.Push(euro.AsSpan(8, 1)));
        Assert.False(d.HasPending);
        Assert.Equal("", d.Flush());
    }

    [Fact]
    public void Invalid_bytes_become_replacement_characters()
    {
        var d = new Utf8StreamDecoder();
        Assert.Equal("x\uFFFDy", d.Push([(byte)'x', 0xFF, (byte)'y']));
        Assert.Equal("", d.Push([0xE2, 0x82]));
        Assert.Equal("\uFFFD", d.Flush()); // an incomplete character at the end of the stream
        Assert.False(d.HasPending);
    }

    [Fact]
    public void Byte_fallback_tokens_stream_a_cjk_character_once()
    {
        var tok = Vocabs.Get("stories260K"); // 512 pieces: CJK is spelled with <0xXX> byte tokens
        int[] ids = tok.Encode("猫", addSpecial: false);
        Assert.True(ids.Length >= 3);
        var s = tok.CreateStreamingDecoder();
        var outputs = ids.Select(s.Add).ToArray();
        Assert.Equal(" 猫", string.Concat(outputs));
        Assert.Equal("猫", outputs[^1]);
    }

    [Fact]
    public void Control_tokens_are_rendered_only_on_request()
    {
        var tok = Vocabs.Get("stories260K");
        Assert.Equal("", tok.CreateStreamingDecoder().Add(tok.BosId));
        Assert.Equal("<s>", tok.CreateStreamingDecoder(renderSpecial: true).Add(tok.BosId));
        Assert.Equal("<s> Hi", tok.Decode(tok.Encode("Hi"), renderSpecial: true));
    }
}
