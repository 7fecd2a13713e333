using System.Text.Json;
using Hearth.Chat.Jinja;
using Hearth.Gguf;

namespace Hearth.Chat;

/// <summary>
/// A model's chat template (<c>tokenizer.chat_template</c>, a Jinja program) and the interpreter that renders it.
/// Rendering follows Jinja2 with <c>trim_blocks</c>, <c>lstrip_blocks</c> and loop controls, plus the chat
/// functions <c>raise_exception</c> and <c>strftime_now</c>, which is how Hugging Face and llama.cpp render them.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>
    /// The template used when a model has none: ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then
    /// <c>&lt;|im_start|&gt;assistant\n</c> as the generation prompt), the same fallback llama.cpp uses.
    /// </summary>
    public const string DefaultSource =
        "{%- for message in messages -%}\n" +
        "{{- '<|im_start|>' + message.role + '\\n' + (message.content or '') + '<|im_end|>\\n' -}}\n" +
        "{%- endfor -%}\n" +
        "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}\n";

    /// <summary>The GGUF metadata key holding the template.</summary>
    public const string GgufKey = "tokenizer.chat_template";

    private readonly JinjaTemplate _template;
    private bool? _supportsSystemRole;

    private ChatTemplate(string source, JinjaTemplate template, bool isDefault)
    {
        Source = source;
        _template = template;
        IsDefault = isDefault;
    }

    /// <summary>The template text.</summary>
    public string Source { get; }

    /// <summary>True when this is <see cref="DefaultSource"/> because the model had no template.</summary>
    public bool IsDefault { get; }

    /// <summary>The ChatML fallback.</summary>
    public static ChatTemplate Default { get; } = new(DefaultSource, JinjaTemplate.Parse(DefaultSource), true);

    /// <summary>Parses a template. Throws <see cref="JinjaException"/> (with line and column) for syntax errors and unsupported constructs.</summary>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(source, JinjaTemplate.Parse(source), false);
    }

    /// <summary>The model's <c>tokenizer.chat_template</c>, or <see cref="Default"/> when the file has none.</summary>
    public static ChatTemplate FromGguf(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string? source = file.GetString(GgufKey);
        return string.IsNullOrEmpty(source) ? Default : Parse(source);
    }

    /// <summary>Renders the template for a conversation.</summary>
    public string Render(ChatTemplateContext context, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        // gpt-oss's template reads an assistant turn's reasoning as message.thinking (llama.cpp passes it so).
        return RenderVariables(ChatTemplateVariables.FromContext(context, Source.Contains("message.thinking", StringComparison.Ordinal)),
            options ?? ChatTemplateOptions.Default);
    }

    /// <summary>
    /// Renders with a JSON object of template variables (<c>messages</c>, <c>add_generation_prompt</c>,
    /// <c>bos_token</c>, <c>eos_token</c>, <c>tools</c>, and anything else the template reads).
    /// </summary>
    public string Render(JsonElement context, ChatTemplateOptions? options = null)
    {
        if (context.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"The template context must be a JSON object of variables, not {context.ValueKind}.", nameof(context));
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in context.EnumerateObject()) vars[p.Name] = JinjaJson.FromElement(p.Value);
        return RenderVariables(vars, options ?? ChatTemplateOptions.Default);
    }

    /// <summary>Renders with a JSON object text of template variables; see <see cref="Render(JsonElement, ChatTemplateOptions?)"/>.</summary>
    public string RenderJson(string contextJson, ChatTemplateOptions? options = null)
    {
        using var doc = JsonDocument.Parse(contextJson);
        return Render(doc.RootElement, options);
    }

    /// <summary>Whether the template text asks for tool-call arguments as objects (the rule both reference renderers apply).</summary>
    internal bool WantsObjectArguments =>
        Source.Contains("tool_call.arguments | items", StringComparison.Ordinal) || Source.Contains("tool_call.arguments | tojson", StringComparison.Ordinal)
        || Source.Contains("['arguments'] is mapping", StringComparison.Ordinal) // Gemma 4 formats object arguments itself
        // Qwen3-Coder writes it unspaced; |items works only on an object, so no template means a string there.
        || Source.Contains("tool_call.arguments|items", StringComparison.Ordinal)
        // gpt-oss (Harmony) writes "tool_call.arguments|tojson" unspaced and means an object: given the JSON string it
        // would print it quoted and escaped, where the model reads and writes the bare JSON. llama.cpp passes objects
        // to it. (Hermes and Command R also write it unspaced but take strings, as their goldens do.)
        || (Source.Contains("tool_call.arguments|tojson", StringComparison.Ordinal) && ReasoningParser.IsHarmony(Source));

    private string RenderVariables(Dictionary<string, object?> vars, ChatTemplateOptions options)
    {
        DateTime now = options.Now ?? DateTime.Now;
        if (options.ParseToolCallArguments && WantsObjectArguments && vars.TryGetValue("messages", out object? msgs))
            vars["messages"] = ChatTemplatePolyfills.ParseToolCallArguments(msgs);
        if (options.LlamaCppPolyfills && vars.TryGetValue("messages", out msgs))
        {
            _supportsSystemRole ??= ProbeSystemRole(vars, now);
            vars["messages"] = ChatTemplatePolyfills.Apply(msgs, _supportsSystemRole.Value,
                supportsTools: Source.Contains("tools", StringComparison.Ordinal), WantsObjectArguments);
        }
        string text = _template.Render(vars, now);
        if (options.StripBosEos)
        {
            string bos = vars.GetValueOrDefault("bos_token") as string ?? "";
            string eos = vars.GetValueOrDefault("eos_token") as string ?? "";
            if (bos.Length > 0 && text.StartsWith(bos, StringComparison.Ordinal)) text = text[bos.Length..];
            if (eos.Length > 0 && text.EndsWith(eos, StringComparison.Ordinal)) text = text[..^eos.Length];
        }
        return text;
    }

    /// <summary>llama.cpp's probe: render a system message holding a marker; if the marker is missing (or the template raises), the template has no system role.</summary>
    private bool ProbeSystemRole(Dictionary<string, object?> vars, DateTime now)
    {
        const string needle = "<System Needle>";
        var probe = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = new List<object?> { ChatTemplateVariables.Message("system", needle), ChatTemplateVariables.Message("user", "Hey") },
            ["add_generation_prompt"] = false,
            ["bos_token"] = vars.GetValueOrDefault("bos_token") ?? "",
            ["eos_token"] = vars.GetValueOrDefault("eos_token") ?? "",
        };
        try
        {
            return _template.Render(probe, now).Contains(needle, StringComparison.Ordinal);
        }
        catch (JinjaException)
        {
            return false;
        }
    }
}
