using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Sampling;
using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>
/// What a request's <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c> ask for: the tools to render into
/// the prompt, whether the reply is parsed for calls, and for <c>"required"</c> or a named function the grammar that
/// makes the reply a valid call (so even a model that never learned to call tools answers with one).
/// </summary>
internal sealed record ToolRequest(JsonElement? Tools, bool ParseCalls, Grammar? Grammar)
{
    public static ToolRequest None { get; } = new(null, false, null);

    public static ToolRequest Of(ChatCompletionRequest body, ChatTemplate template, int maxCalls) =>
        Of(body.Tools, body.ToolChoice, body.ParallelToolCalls, template, maxCalls);

    /// <summary>The same from the fields themselves, in Chat Completions' shapes (the Responses API converts its own to these).</summary>
    public static ToolRequest Of(JsonElement? toolList, JsonElement? toolChoice, bool? parallelToolCalls, ChatTemplate template, int maxCalls)
    {
        var (choice, function) = Choice(toolChoice);
        if (toolList is not { } tools || tools.ValueKind == JsonValueKind.Null)
        {
            if (choice is "required" || function is not null)
            {
                throw ApiError.BadParam("tool_choice", $"'tool_choice' is '{(function is null ? choice : "function " + function)}' but the request has no 'tools'.");
            }
            return None;
        }
        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam("tools", $"'tools' must be an array of function definitions, not {JsonBody.Describe(tools.ValueKind)}.", "invalid_type");
        }
        if (tools.GetArrayLength() == 0) throw ApiError.BadParam("tools", "'tools' is empty; give at least one function, or leave 'tools' out.");
        IReadOnlyList<string> names;
        try
        {
            names = ToolCallFormats.FunctionNames(tools);
        }
        catch (ArgumentException e)
        {
            throw ApiError.BadParam("tools", "Invalid 'tools': " + WithoutParamName(e));
        }
        if (function is not null && !names.Contains(function))
        {
            throw ApiError.BadParam("tool_choice", $"'tool_choice' names the function '{function}', which is not among the tools ({string.Join(", ", names)}).");
        }
        if (choice == "none") return None; // the model is not told about tools, so it answers in text
        Grammar? grammar = null;
        if (choice == "required" || function is not null)
        {
            try
            {
                // OpenAI's default for parallel_tool_calls is true; a named function is called once.
                grammar = ToolCallGrammar.ForTemplate(template, tools, function, parallel: function is null && parallelToolCalls != false, maxCalls);
            }
            catch (GrammarFormatException e)
            {
                throw ApiError.BadParam("tools", "A function's 'parameters' schema cannot be used to constrain the call: " + e.Message);
            }
            catch (ArgumentException e)
            {
                throw ApiError.BadParam("tools", "Invalid 'tools': " + WithoutParamName(e));
            }
        }
        return new ToolRequest(tools, true, grammar);
    }

    /// <summary>(<c>"none" | "auto" | "required"</c>, null) or ("function", name); "auto" when absent.</summary>
    private static (string Choice, string? Function) Choice(JsonElement? toolChoice)
    {
        if (toolChoice is not { } c || c.ValueKind == JsonValueKind.Null) return ("auto", null);
        if (c.ValueKind == JsonValueKind.String)
        {
            string s = c.GetString()!;
            if (s is "none" or "auto" or "required") return (s, null);
            throw ApiError.BadParam("tool_choice", $"'tool_choice' must be 'none', 'auto', 'required' or {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}, got '{s}'.");
        }
        if (c.ValueKind != JsonValueKind.Object)
        {
            throw ApiError.BadParam("tool_choice", $"'tool_choice' must be a string or an object, not {JsonBody.Describe(c.ValueKind)}.", "invalid_type");
        }
        if (!c.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) throw ApiError.Missing("tool_choice.type");
        if (type.GetString() != "function")
        {
            throw ApiError.BadParam("tool_choice.type", $"'tool_choice.type' must be 'function', got '{type.GetString()}'.");
        }
        if (!c.TryGetProperty("function", out var fn) || fn.ValueKind != JsonValueKind.Object
            || !fn.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
        {
            throw ApiError.Missing("tool_choice.function.name");
        }
        return ("function", name.GetString());
    }

    /// <summary>ArgumentException appends " (Parameter 'x')"; the API names its own param.</summary>
    private static string WithoutParamName(ArgumentException e)
    {
        string m = e.Message;
        int at = e.ParamName is null ? -1 : m.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return at >= 0 ? m[..at] : m;
    }
}
