using System.Text.Json;

namespace Hearth.Tests.Cli;

public class TemplateCommandTests
{
    private static string Goldens(string rel) => TestData.PathOf($"chat-templates/llama.cpp-jinja-goldens/{rel}");

    [Fact]
    public void Template_file_with_context_prints_the_golden_exactly()
    {
        var r = CliRunner.Run("template", "--template", Goldens("templates/Qwen-Qwen2-7B-Instruct.jinja"), "--context", Goldens("contexts/system.json"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(File.ReadAllText(Goldens("goldens/Qwen-Qwen2-7B-Instruct-system.txt")), r.StdOut);
    }

    /// <summary>The 2026 families' real templates (ChatTemplates/recent-goldens, rendered by Jinja2) through the CLI.</summary>
    [Theory]
    [InlineData("Qwen3-Coder")]
    [InlineData("mistralai-Ministral-3-14B-Reasoning-2512")]
    [InlineData("HuggingFaceTB-SmolLM3-3B")]
    public void Recent_family_templates_print_their_jinja2_goldens(string name)
    {
        static string Recent(string rel) => TestData.ProjectPath($"ChatTemplates/recent-goldens/{rel}");
        var r = CliRunner.Run("template", "--template", Recent($"templates/{name}.jinja"), "--context", Recent("contexts/tool_use.json"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(File.ReadAllText(Recent($"goldens/{name}-tool_use.txt")), r.StdOut);
    }

    [Fact]
    public void Messages_tools_and_flags_build_the_same_context_as_the_golden()
    {
        using var ctx = JsonDocument.Parse(File.ReadAllText(Goldens("contexts/tool_use.json")));
        string dir = Directory.CreateTempSubdirectory("hearth-template-").FullName;
        try
        {
            string messages = Path.Combine(dir, "messages.json"), tools = Path.Combine(dir, "tools.json");
            File.WriteAllText(messages, ctx.RootElement.GetProperty("messages").GetRawText());
            File.WriteAllText(tools, ctx.RootElement.GetProperty("tools").GetRawText());
            var r = CliRunner.Run("template", "--template", Goldens("templates/NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja"),
                "--messages", messages, "--tools", tools, "--add-generation-prompt", "--bos-token", "<|startoftext|>", "--eos-token", "<|endoftext|>");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Equal(File.ReadAllText(Goldens("goldens/NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use-tool_use.txt")), r.StdOut);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Json_output_holds_the_text_and_llama_cpp_mode_applies_polyfills()
    {
        var r = CliRunner.Run("template", "--template", Goldens("templates/google-gemma-2-2b-it.jinja"), "--context", Goldens("contexts/system.json"), "--llama-cpp", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        // The golden was written by llama.cpp (system merged into the user turn); --llama-cpp also strips the leading BOS.
        string golden = File.ReadAllText(Goldens("goldens/google-gemma-2-2b-it-system.txt"));
        Assert.Equal(golden["<|startoftext|>".Length..], doc.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void Model_without_a_chat_template_renders_the_chatml_default()
    {
        string dir = Directory.CreateTempSubdirectory("hearth-template-").FullName;
        try
        {
            string messages = Path.Combine(dir, "m.json");
            File.WriteAllText(messages, """[{"role":"user","content":"Hi"}]""");
            var r = CliRunner.Run("template", "-m", TestData.PathOf("gguf/stories260K.gguf"), "--messages", messages, "--add-generation-prompt");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", r.StdOut);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Template_rejecting_the_conversation_is_a_clear_error()
    {
        var r = CliRunner.Run("template", "--template", Goldens("templates/google-gemma-2-2b-it.jinja"), "--context", Goldens("contexts/system.json"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("System role not supported", r.StdErr);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void Missing_source_or_input_is_a_usage_error()
    {
        var r = CliRunner.Run("template", "--context", Goldens("contexts/system.json"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("-m MODEL or --template", r.StdErr);
        r = CliRunner.Run("template", "--template", Goldens("templates/google-gemma-2-2b-it.jinja"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--context", r.StdErr);
    }

    [Fact]
    public void Context_that_is_not_a_json_object_is_a_clear_error()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "[1, 2]");
            var r = CliRunner.Run("template", "--template", Goldens("templates/google-gemma-2-2b-it.jinja"), "--context", path);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("must hold a JSON object", r.StdErr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
