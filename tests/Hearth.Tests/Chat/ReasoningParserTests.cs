using Hearth.Chat;

namespace Hearth.Tests.Chat;

public class ReasoningParserTests
{
    [Theory]
    [InlineData("<think>\nabc\n</think>\n\nAnswer", false, "abc", "Answer")]
    [InlineData("  <think>a\n\nb</think>Answer\n", false, "a\n\nb", "Answer\n")]
    [InlineData("Hello <think>x</think>", false, "", "Hello <think>x</think>")]
    [InlineData("abc\n</think>\n\nAnswer", true, "abc", "Answer")]
    [InlineData("<think>\nabc</think>Answer", true, "abc", "Answer")]
    [InlineData("<think>unclosed\n", false, "unclosed", "")]
    [InlineData("<think></think>Answer", false, "", "Answer")]
    [InlineData("<thi", false, "", "<thi")]
    [InlineData("", true, "", "")]
    [InlineData("a</thinking> b</think>c", true, "a</thinking> b", "c")]
    public void Split_separates_reasoning_from_answer(string text, bool startsInReasoning, string reasoning, string content)
    {
        Assert.Equal(new ReasoningDelta(reasoning, content), ReasoningParser.Split(text, startsInReasoning));
    }

    [Theory]
    [InlineData("<think>\nabc def\n</think>\n\nAnswer here", false)]
    [InlineData("  <think>a\n\nb</think>Answer\n", false)]
    [InlineData("plain <b>answer</b>", false)]
    [InlineData("reasoning <with> tags </thin and more</think>\nok", true)]
    [InlineData("<think>\n</think>\n\n", false)]
    public void Streaming_in_any_chunking_gives_the_same_split(string text, bool startsInReasoning)
    {
        var whole = ReasoningParser.Split(text, startsInReasoning);
        for (int size = 1; size <= 4; size++)
        {
            var p = new ReasoningParser(startsInReasoning);
            string r = "", c = "";
            for (int i = 0; i < text.Length; i += size)
            {
                var d = p.Push(text.Substring(i, Math.Min(size, text.Length - i)));
                r += d.Reasoning;
                c += d.Content;
            }
            var f = p.Flush();
            Assert.Equal(whole, new ReasoningDelta(r + f.Reasoning, c + f.Content));
        }
    }

    [Fact]
    public void Partial_close_tag_is_held_back_until_decided()
    {
        var p = new ReasoningParser();
        Assert.Equal(new ReasoningDelta("ab", ""), p.Push("<think>ab</th"));
        Assert.Equal(new ReasoningDelta("", "x"), p.Push("ink>x"));
        Assert.Equal(new ReasoningDelta("", "y"), p.Push("y"));
        Assert.True(p.Flush().IsEmpty);
    }

    [Fact]
    public void R1_generation_prompt_opens_reasoning_and_qwen25_does_not()
    {
        string dir = TestData.PathOf("chat-templates/generated-goldens/goldens");
        Assert.True(ReasoningParser.PromptOpensReasoning(File.ReadAllText(Path.Combine(dir, "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B-simple.txt"))));
        string qwen = TestData.PathOf("chat-templates/llama.cpp-jinja-goldens/goldens/Qwen-Qwen2.5-7B-Instruct-simple.txt");
        Assert.False(ReasoningParser.PromptOpensReasoning(File.ReadAllText(qwen)));
        Assert.False(ReasoningParser.PromptOpensReasoning("<think>\nx</think>\n"));
    }

    [Fact]
    public void R1_template_drops_previous_turns_reasoning_from_history()
    {
        var t = ChatTemplate.Parse(File.ReadAllText(TestData.PathOf("chat-templates/llama.cpp-models-templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja")));
        var ctx = new ChatTemplateContext
        {
            Messages = [ChatTemplateMessage.User("q1"), ChatTemplateMessage.Assistant("<think>\nsecret plan\n</think>\n\nanswer one"), ChatTemplateMessage.User("q2")],
            BosToken = "<｜begin▁of▁sentence｜>",
        };
        string text = t.Render(ctx);
        Assert.DoesNotContain("secret plan", text);
        Assert.Contains("<｜Assistant｜>\n\nanswer one<｜end▁of▁sentence｜>", text);
        Assert.EndsWith("<｜User｜>q2<｜Assistant｜><think>\n", text);
        Assert.True(ReasoningParser.PromptOpensReasoning(text));
    }
}
