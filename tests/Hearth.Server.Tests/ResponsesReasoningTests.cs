using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK marks its Responses client experimental

namespace Hearth.Server.Tests;

/// <summary>
/// Reasoning output items: a template whose generation prompt opens a <c>&lt;think&gt;</c> block makes everything
/// stories260K writes (it never closes the block) reasoning, so the reply is one reasoning item cut by the limit.
/// </summary>
public sealed class ResponsesReasoningTests
{
    private const string ThinkingTemplate = """
        {%- for m in messages %}<|im_start|>{{ m.role }}
        {{ m.content }}<|im_end|>
        {% endfor %}{%- if add_generation_prompt %}<|im_start|>assistant
        <think>
        {% endif %}
        """;

    [Fact]
    public async Task Reasoning_streams_as_reasoning_text_and_ends_in_a_reasoning_item()
    {
        string template = Path.Combine(Path.GetTempPath(), $"hearth-think-{Guid.NewGuid():N}.jinja");
        await File.WriteAllTextAsync(template, ThinkingTemplate);
        try
        {
            await using var server = await Servers.StartAsync(new HearthServerOptions
            {
                ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 256, ChatTemplateFile = template,
            });
            var client = ResponsesSdkTests.Client(server);
            var options = new CreateResponseOptions(Servers.ModelId, [ResponseItem.CreateUserMessageItem("Think about a cat.")]) { Temperature = 0, MaxOutputTokenCount = 10 };
            var updates = new List<StreamingResponseUpdate>();
            await foreach (var u in await client.CreateResponseStreamingAsync(ResponsesSdkTests.Streaming(options))) updates.Add(u);
            foreach (var u in updates) Assert.DoesNotContain("Unknown", u.GetType().Name, StringComparison.Ordinal);
            var added = Assert.Single(updates.OfType<StreamingResponseOutputItemAddedUpdate>());
            Assert.IsType<ReasoningResponseItem>(added.Item);
            var deltas = updates.OfType<StreamingResponseReasoningTextDeltaUpdate>().ToList();
            Assert.True(deltas.Count > 1, $"expected reasoning deltas, got {deltas.Count}");
            string thought = string.Concat(deltas.Select(d => d.Delta));
            Assert.Equal(thought, Assert.Single(updates.OfType<StreamingResponseReasoningTextDoneUpdate>()).Text);
            Assert.Empty(updates.OfType<StreamingResponseOutputTextDeltaUpdate>());
            var final = Assert.IsType<StreamingResponseIncompleteUpdate>(updates[^1]).Response;
            Assert.IsType<ReasoningResponseItem>(Assert.Single(final.OutputItems));
            Assert.Equal(10, final.Usage.OutputTokenCount);
            Assert.True(final.Usage.OutputTokenDetails.ReasoningTokenCount > 0);

            options.StreamingEnabled = null;
            ResponseResult whole = await client.CreateResponseAsync(options);
            Assert.IsType<ReasoningResponseItem>(Assert.Single(whole.OutputItems));
            Assert.Equal(ResponseStatus.Incomplete, whole.Status);
        }
        finally
        {
            File.Delete(template);
        }
    }
}
