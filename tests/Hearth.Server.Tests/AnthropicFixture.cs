using Anthropic;

namespace Hearth.Server.Tests;

/// <summary>
/// Real servers for the Anthropic Messages tests: stories260K with the default template (tool calls need the
/// larger context: the template lists the tools in the system message and the model tokenizes nearly per character),
/// and the same model under a small template whose generation prompt opens a <c>&lt;think&gt;</c> block, so
/// everything it writes is reasoning.
/// </summary>
public sealed class AnthropicFixture : IAsyncLifetime
{
    /// <summary>ChatML whose assistant turn starts inside a reasoning block (as DeepSeek R1's and Qwen 3's do).</summary>
    private const string ThinkTemplate = """
        {%- for message in messages -%}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n<think>\n' -}}{%- endif -%}
        """;

    private string? _templateFile;

    public HearthServer Server { get; private set; } = null!;

    public HearthServer Thinking { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 2, ContextSize = 1024 });
        Http = Servers.Client(Server);
        _templateFile = Path.Combine(Path.GetTempPath(), $"hearth-think-{Guid.NewGuid():N}.jinja");
        await File.WriteAllTextAsync(_templateFile, ThinkTemplate);
        Thinking = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 256, ChatTemplateFile = _templateFile,
        });
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Thinking.DisposeAsync();
        if (_templateFile != null) File.Delete(_templateFile);
    }

    /// <summary>The official SDK's client pointed at <paramref name="server"/>, checking every reply it parses.</summary>
    public static AnthropicClient Client(HearthServer server, string apiKey = "unused") => new()
    {
        BaseUrl = server.BaseAddress.ToString().TrimEnd('/'),
        ApiKey = apiKey,
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(180),
        ResponseValidation = true,
    };
}
