namespace Hearth.Chat;

/// <summary>
/// The tags a model's reasoning is written between: <c>&lt;think&gt;…&lt;/think&gt;</c> (DeepSeek-R1, Qwen3, SmolLM3, …)
/// Gemma 4's thought channel <c>&lt;|channel&gt;thought\n…&lt;channel|&gt;</c> or Mistral's <c>[THINK]…[/THINK]</c>. <see cref="Detect"/> picks them from the
/// chat template by the markers it writes.
/// </summary>
/// <param name="Open">The text that opens a reasoning block.</param>
/// <param name="Close">The text that closes it.</param>
public sealed record ReasoningTags(string Open, string Close)
{
    /// <summary><c>&lt;think&gt;…&lt;/think&gt;</c>, the default.</summary>
    public static ReasoningTags Think { get; } = new("<think>", "</think>");

    /// <summary>Gemma 4: its templates end the generation prompt with an empty <c>&lt;|channel&gt;thought\n&lt;channel|&gt;</c> when thinking is off.</summary>
    public static ReasoningTags Gemma4Channel { get; } = new("<|channel>thought", "<channel|>");

    /// <summary>Mistral's <c>[THINK]…[/THINK]</c> (Ministral 3 Reasoning, Magistral).</summary>
    public static ReasoningTags MistralThink { get; } = new("[THINK]", "[/THINK]");

    /// <summary>The tags <paramref name="templateSource"/> uses; <see cref="Think"/> unless it writes Gemma 4's channel markers.</summary>
    public static ReasoningTags Detect(string templateSource)
    {
        ArgumentNullException.ThrowIfNull(templateSource);
        if (templateSource.Contains("<|channel>", StringComparison.Ordinal) && templateSource.Contains("<channel|>", StringComparison.Ordinal)) return Gemma4Channel;
        if (templateSource.Contains("[THINK]", StringComparison.Ordinal) && templateSource.Contains("[/THINK]", StringComparison.Ordinal)) return MistralThink;
        return Think;
    }

    /// <summary>Whether the template knows reasoning blocks at all (so a reply is split only for such models).</summary>
    public static bool TemplateReasons(string templateSource)
    {
        ArgumentNullException.ThrowIfNull(templateSource);
        var tags = Detect(templateSource);
        return templateSource.Contains(tags.Open, StringComparison.Ordinal) || templateSource.Contains("<|channel>", StringComparison.Ordinal);
    }
}
