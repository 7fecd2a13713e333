namespace Hearth.Chat.ToolCalls;

/// <summary>Picks a model's <see cref="ToolCallFormat"/> from its chat template text, by the markers the template writes.</summary>
public static class ToolCallFormats
{
    /// <summary>
    /// The function names of an OpenAI <c>tools</c> array (<c>[{"type": "function", "function": {"name", "parameters"}}, ...]</c>),
    /// validating its shape.
    /// </summary>
    /// <exception cref="ArgumentException">The array is not a list of function definitions (the message says which entry and why).</exception>
    public static IReadOnlyList<string> FunctionNames(System.Text.Json.JsonElement tools) => ToolDefinition.ParseAll(tools).ConvertAll(d => d.Name);

    /// <summary>
    /// The format the template renders past tool calls in, which is the format the model was trained to produce.
    /// Checked in the order llama.cpp checks them (a template may mention several markers; the most specific wins).
    /// </summary>
    public static ToolCallFormat Detect(string templateSource)
    {
        ArgumentNullException.ThrowIfNull(templateSource);
        if (templateSource.Contains("<｜tool▁calls▁begin｜>", StringComparison.Ordinal)) return ToolCallFormat.DeepSeekR1;
        if (templateSource.Contains("<|tool_call>call:", StringComparison.Ordinal)) return ToolCallFormat.Gemma4;
        // Qwen3-Coder's XML-style calls (also Qwen3.5) before Hermes, whose <tool_call> marker they share.
        if (templateSource.Contains("<tool_call>", StringComparison.Ordinal) && templateSource.Contains("<function=", StringComparison.Ordinal)
            && templateSource.Contains("<parameter=", StringComparison.Ordinal)) return ToolCallFormat.Qwen3CoderXml;
        if (ReasoningParser.IsHarmony(templateSource) && templateSource.Contains("<|call|>", StringComparison.Ordinal)) return ToolCallFormat.Harmony;
        if (templateSource.Contains("<tool_call>", StringComparison.Ordinal)) return ToolCallFormat.Hermes;
        // Functionary v3.1 also has the ipython header but writes <function=...>, which is not supported: generic.
        if (templateSource.Contains("<function=", StringComparison.Ordinal)) return ToolCallFormat.Generic;
        if (templateSource.Contains("<|start_header_id|>ipython<|end_header_id|>", StringComparison.Ordinal)) return ToolCallFormat.Llama3Json;
        if (templateSource.Contains("[TOOL_CALLS]", StringComparison.Ordinal)) return ToolCallFormat.Mistral;
        return ToolCallFormat.Generic;
    }

    /// <summary>The format of <paramref name="template"/>; see <see cref="Detect(string)"/>.</summary>
    public static ToolCallFormat Detect(ChatTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Detect(template.Source);
    }

    /// <summary>Whether a Llama 3.x template lets the model call built-in tools with <c>&lt;|python_tag|&gt;</c>.</summary>
    internal static bool HasPythonTag(string templateSource) => templateSource.Contains("<|python_tag|>", StringComparison.Ordinal);
}
