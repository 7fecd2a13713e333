using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Tests.Chat;

/// <summary>
/// Every template × context in testdata/chat-templates/{llama.cpp-jinja-goldens,generated-goldens} against its golden
/// rendering (see testdata README §4c/§4d), and the same for the repository's ChatTemplates/recent-goldens (Qwen3-Coder,
/// Ministral 3, SmolLM3 from llama.cpp's models/templates, rendered by its generate.py with Jinja2 3.1.6 and §4c's rules). Goldens reproduced by plain Jinja2 are matched with plain semantics; the
/// others were written by llama.cpp's minja and are matched with <see cref="ChatTemplateOptions.LlamaCppPolyfills"/>.
/// </summary>
public class ChatTemplateGoldenTests
{
    private static readonly DateTime GoldenDate = new(2024, 7, 26);

    public sealed record Golden(string Set, string Template, string Context, string GoldenFile, bool ArgsAsObject, bool Plain, string? Error);

    private const string RepositorySet = "recent-goldens";

    private static string SetDirectory(string set) =>
        set == RepositorySet ? TestData.ProjectPath($"ChatTemplates/{set}") : TestData.PathOf($"chat-templates/{set}");

    private static List<Golden> Load(string set)
    {
        string dir = SetDirectory(set);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        var list = new List<Golden>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            bool plain = !e.TryGetProperty("reproduced_by_python_jinja2", out var r) || r.GetBoolean();
            string? error = e.TryGetProperty("python_jinja2_error", out var pe) ? pe.GetString() : e.GetProperty("error").GetString();
            list.Add(new Golden(set, e.GetProperty("template").GetString()!, e.GetProperty("context").GetString()!, e.GetProperty("golden").GetString()!,
                e.GetProperty("tool_call_arguments_passed_as_object").GetBoolean(), plain, error));
        }
        return list;
    }

    private static readonly Lazy<Dictionary<string, Golden>> All = new(() =>
        Load("llama.cpp-jinja-goldens").Concat(Load("generated-goldens")).Concat(Load(RepositorySet)).ToDictionary(g => $"{g.Set}/{g.GoldenFile}"));

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string key in All.Value.Keys.Order(StringComparer.Ordinal)) data.Add(key);
        return data;
    }

    private static string Read(Golden g, string rel) => File.ReadAllText(Path.Combine(SetDirectory(g.Set), rel));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plain_Jinja_render_matches_golden_or_raises_the_templates_error(string key)
    {
        var g = All.Value[key];
        var template = ChatTemplate.Parse(Read(g, g.Template));
        var options = new ChatTemplateOptions { Now = GoldenDate };
        Assert.Equal(g.ArgsAsObject, template.WantsObjectArguments);
        if (g.Error != null)
        {
            var ex = Assert.Throws<JinjaException>(() => template.RenderJson(Read(g, g.Context), options));
            Assert.True(ex.RaisedByTemplate, ex.Message);
            Assert.Equal(g.Error, ex.Reason);
            string golden = Read(g, g.GoldenFile);
            if (golden.StartsWith("ERROR: ", StringComparison.Ordinal)) Assert.Equal("ERROR: " + g.Error, golden.TrimEnd('\n'));
            return;
        }
        if (!g.Plain) return; // a minja-only golden: checked by the polyfill test below
        Assert.Equal(Read(g, g.GoldenFile), template.RenderJson(Read(g, g.Context), options));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LlamaCpp_polyfilled_render_matches_goldens_written_by_minja(string key)
    {
        var g = All.Value[key];
        if (g.Plain) return; // reproduced by plain Jinja2: checked above
        var template = ChatTemplate.Parse(Read(g, g.Template));
        var options = new ChatTemplateOptions { Now = GoldenDate, LlamaCppPolyfills = true };
        Assert.Equal(Read(g, g.GoldenFile), template.RenderJson(Read(g, g.Context), options));
    }
}
