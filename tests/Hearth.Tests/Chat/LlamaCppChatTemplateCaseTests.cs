using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Chat;

namespace Hearth.Tests.Chat;

/// <summary>
/// The cases of llama.cpp's tests/test-chat-template.cpp (testdata/chat-templates/llama.cpp-test-chat-template.json):
/// the plain Jinja2 render of each template, and llama.cpp's Jinja-path output (polyfills + BOS/EOS stripping).
/// </summary>
public class LlamaCppChatTemplateCaseTests
{
    private static readonly Lazy<JsonObject> Data = new(() =>
        JsonNode.Parse(File.ReadAllText(TestData.PathOf("chat-templates/llama.cpp-test-chat-template.json")))!.AsObject());

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Data.Value["cases"]!.AsArray()) data.Add(c!["name"]!.GetValue<string>());
        return data;
    }

    private static (JsonObject Case, string Context) Load(string name)
    {
        var c = Data.Value["cases"]!.AsArray().First(x => x!["name"]!.GetValue<string>() == name)!.AsObject();
        var context = new JsonObject
        {
            ["messages"] = Data.Value["conversation"]!.DeepClone(),
            ["add_generation_prompt"] = Data.Value["add_generation_prompt"]!.DeepClone(),
            ["bos_token"] = c["bos_token"]!.DeepClone(),
            ["eos_token"] = c["eos_token"]!.DeepClone(),
        };
        return (c, context.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plain_render_matches_python_jinja2(string name)
    {
        var (c, context) = Load(name);
        var template = ChatTemplate.Parse(c["template"]!.GetValue<string>());
        string? error = c["python_jinja2_raw_error"]?.GetValue<string>();
        if (error != null)
        {
            var ex = Assert.Throws<JinjaException>(() => template.RenderJson(context));
            Assert.Equal(error, ex.Reason);
            return;
        }
        Assert.Equal(c["python_jinja2_raw_render"]!.GetValue<string>(), template.RenderJson(context));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LlamaCpp_options_match_llama_cpp_jinja_output(string name)
    {
        var (c, context) = Load(name);
        if (!c["supported_with_jinja"]!.GetValue<bool>()) return; // llama.cpp does not run this case through Jinja
        var template = ChatTemplate.Parse(c["template"]!.GetValue<string>());
        Assert.Equal(c["expected_output_jinja"]!.GetValue<string>(), template.RenderJson(context, ChatTemplateOptions.LlamaCpp));
    }

    public static TheoryData<string> ModelTemplates()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(TestData.PathOf("chat-templates/llama.cpp-models-templates"), "*.jinja").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelTemplates))]
    public void Every_llama_cpp_model_template_parses_and_renders_the_simple_conversation(string file)
    {
        var template = ChatTemplate.Parse(File.ReadAllText(TestData.PathOf($"chat-templates/llama.cpp-models-templates/{file}")));
        string context = File.ReadAllText(TestData.PathOf("chat-templates/llama.cpp-jinja-goldens/contexts/simple.json"));
        try
        {
            string text = template.RenderJson(context, new ChatTemplateOptions { Now = new DateTime(2024, 7, 26) });
            Assert.Contains("What's your favourite LLM framework?", text);
            Assert.Contains("llama.cpp!", text);
        }
        catch (JinjaException e) when (e.RaisedByTemplate)
        {
            // The template's own raise_exception(...) is an accepted outcome.
        }
    }

    [Fact]
    public void Byte_identical_model_templates_render_identically()
    {
        // Spot check across sets: the llama.cpp models/templates copy of Qwen2.5 renders like its golden.
        var g = TestData.PathOf("chat-templates/llama.cpp-jinja-goldens");
        var template = ChatTemplate.Parse(File.ReadAllText(TestData.PathOf("chat-templates/llama.cpp-models-templates/Qwen-Qwen2.5-7B-Instruct.jinja")));
        using var ctx = JsonDocument.Parse(File.ReadAllText(Path.Combine(g, "contexts/tool_use.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(g, "goldens/Qwen-Qwen2.5-7B-Instruct-tool_use.txt")), template.Render(ctx.RootElement));
    }
}
