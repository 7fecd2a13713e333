using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Spectre.Console;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth ps [--url URL] [--json]</c>: the models a running <c>hearth serve</c> has loaded (its <c>/api/ps</c>).</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server's address", DefaultValueFactory = _ => "http://127.0.0.1:8080/" };
        var apiKey = new Option<string?>("--api-key") { Description = "The server's API key (default: $HEARTH_API_KEY)" };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON" };
        var cmd = new Command("ps", "Show the models a running hearth server serves: loaded or not, mapped memory, requests in flight.") { url, apiKey, json };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string baseUrl = parse.GetValue(url)!.TrimEnd('/') + "/";
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
            string? key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("HEARTH_API_KEY");
            if (!string.IsNullOrEmpty(key)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            string body;
            try
            {
                using var response = http.GetAsync("api/ps").GetAwaiter().GetResult();
                body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{baseUrl}api/ps answered HTTP {(int)response.StatusCode}: {body}");
            }
            catch (HttpRequestException e)
            {
                throw new InvalidOperationException($"No hearth server at {baseUrl} ({e.Message}); start one with 'hearth serve' or pass --url.", e);
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(body);
                return 0;
            }
            using var doc = JsonDocument.Parse(body);
            var table = new Table().AddColumns("model", "state", "mapped", "in flight", "last used");
            foreach (var m in doc.RootElement.GetProperty("models").EnumerateArray())
            {
                string last = m.TryGetProperty("last_used", out var lu) && lu.ValueKind == JsonValueKind.Number
                    ? DateTimeOffset.FromUnixTimeSeconds(lu.GetInt64()).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                    : "never";
                long mapped = m.GetProperty("mapped_bytes").GetInt64();
                table.AddRow(Markup.Escape(m.GetProperty("id").GetString()!), m.GetProperty("state").GetString()!,
                    mapped > 0 ? Units.Bytes(mapped) : "-", m.GetProperty("requests_in_flight").GetInt32().ToString(CultureInfo.InvariantCulture), last);
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return cmd;
    }
}
