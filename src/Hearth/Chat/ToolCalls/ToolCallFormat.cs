namespace Hearth.Chat.ToolCalls;

/// <summary>How a model writes tool calls in its reply; <see cref="ToolCallFormats.Detect(string)"/> picks it from the chat template.</summary>
public enum ToolCallFormat
{
    /// <summary>
    /// For templates without a native syntax: the whole reply is one JSON object, <c>{"tool_calls": [{"name": ...,
    /// "arguments": {...}}]}</c>, <c>{"tool_call": {...}}</c> or <c>{"response": "text"}</c> (the shape llama.cpp's
    /// polyfill renders past calls in and its generic grammar produces). Any other reply is content.
    /// </summary>
    Generic,

    /// <summary>Llama 3.x: <c>{"name": ..., "parameters": {...}}</c> as the whole reply, or after <c>&lt;|python_tag|&gt;</c>.</summary>
    Llama3Json,

    /// <summary>Hermes 2/3 Pro, Qwen 2.5/3: <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>, one block per call.</summary>
    Hermes,

    /// <summary>Mistral: <c>[TOOL_CALLS][{"name": ..., "arguments": {...}, "id": ...}]</c> or <c>[TOOL_CALLS]name[ARGS]{...}</c>.</summary>
    Mistral,

    /// <summary>DeepSeek R1: <c>&lt;｜tool▁calls▁begin｜&gt;&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME\n```json\n{...}\n```&lt;｜tool▁call▁end｜&gt;…&lt;｜tool▁calls▁end｜&gt;</c>.</summary>
    DeepSeekR1,

    /// <summary>Gemma 4: <c>&lt;|tool_call&gt;call:NAME{key:&lt;|"|&gt;text&lt;|"|&gt;,n:1}&lt;tool_call|&gt;</c>, one block per call, arguments in the template's notation.</summary>
    Gemma4,

    /// <summary>
    /// Qwen3-Coder, Qwen3.5: <c>&lt;tool_call&gt;\n&lt;function=NAME&gt;\n&lt;parameter=P&gt;\nVALUE\n&lt;/parameter&gt;\n&lt;/function&gt;\n&lt;/tool_call&gt;</c>,
    /// one block per call; string values raw, others JSON.
    /// </summary>
    Qwen3CoderXml,

    /// <summary>
    /// gpt-oss (OpenAI Harmony): <c>&lt;|channel|&gt;commentary to=functions.NAME &lt;|constrain|&gt;json&lt;|message|&gt;{...}&lt;|call|&gt;</c>,
    /// one message per call; split the reply with <see cref="ReasoningParser.Harmony"/> first.
    /// </summary>
    Harmony,
}
