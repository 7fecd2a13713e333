using System.CommandLine;
using Hearth.Cli.Commands;

namespace Hearth.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Hearth: local LLM inference in managed .NET (GGUF models on CPU).");
        // One file per verb under Commands/; each exposes Create().
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(TemplateCommand.Create());
        root.Subcommands.Add(PerplexityCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(RerankCommand.Create());
        root.Subcommands.Add(PullCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(RmCommand.Create());
        root.Subcommands.Add(PsCommand.Create());
        return root.Parse(args).Invoke();
    }
}
