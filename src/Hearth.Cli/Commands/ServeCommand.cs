using System.CommandLine;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth serve</c>.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var cmd = new Command("serve", "OpenAI-compatible HTTP server. (not implemented yet)");
        cmd.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'hearth serve' is not implemented yet.");
            return 2;
        });
        return cmd;
    }
}
