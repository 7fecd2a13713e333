namespace Hearth.Chat;

/// <summary>How <see cref="ChatTemplate.Render(ChatTemplateContext, ChatTemplateOptions?)"/> prepares its input and output.</summary>
public sealed class ChatTemplateOptions
{
    /// <summary>Plain Jinja2 semantics plus the tool-call argument rule (the default).</summary>
    public static ChatTemplateOptions Default { get; } = new();

    /// <summary>What llama.cpp's Jinja path does: <see cref="LlamaCppPolyfills"/> and <see cref="StripBosEos"/>.</summary>
    public static ChatTemplateOptions LlamaCpp { get; } = new() { LlamaCppPolyfills = true, StripBosEos = true };

    /// <summary>
    /// When the template text contains <c>tool_call.arguments | items</c> or <c>tool_call.arguments | tojson</c>
    /// (templates that expect arguments as an object, e.g. Llama 3.1; also Qwen3-Coder's unspaced <c>|items</c>, Gemma 4's
    /// <c>is mapping</c> test and gpt-oss's unspaced <c>|tojson</c>), each tool call's <c>function.arguments</c>
    /// JSON string is parsed to an object before rendering, as Hugging Face's and llama.cpp's renderers do.
    /// </summary>
    public bool ParseToolCallArguments { get; init; } = true;

    /// <summary>
    /// llama.cpp's (minja's) rewrites for templates that lack a feature: if the template does not render a system
    /// message (probed by rendering one), system text is merged into the first user message (<c>system + "\n" + user</c>);
    /// if the template text never mentions <c>tools</c>, assistant tool calls become a JSON
    /// <c>{"tool_calls": [...]}</c> content and tool results a user message with JSON <c>{"tool_response": {...}}</c>.
    /// </summary>
    public bool LlamaCppPolyfills { get; init; }

    /// <summary>Remove one leading <c>bos_token</c> and one trailing <c>eos_token</c> from the output (the tokenizer adds them), as llama.cpp does.</summary>
    public bool StripBosEos { get; init; }

    /// <summary>The time <c>strftime_now</c> formats; null means the current local time.</summary>
    public DateTime? Now { get; init; }
}
