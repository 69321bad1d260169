// Write SESSION_DIR/session.yaml for session-files from C# (.NET 6 or later).
//
//   SessionWriter.Write(@"D:\data\lab\M001\2024-05-01_10-00-00", "M001", DateTime.Now,
//       experimenters: new[] { "alice" },
//       attributes: new Dictionary<string, object> { ["rig"] = "rig-1", ["laser_mw"] = 3.5, ["opto"] = true });
//
// Every text value is written as a JSON string (System.Text.Json), which is also a valid
// YAML double-quoted scalar: no YAML library, and no value can be misread. The time is
// naive local time to the whole second. The file is written to a hidden temporary file,
// flushed to disk, and moved into place; File.Move refuses to replace an existing sidecar.
// Check the result with `session-files validate` (or run `session-files new`, which
// checks the registries and the root's sessions before it writes).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

public static class SessionWriter
{
    static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d when double.IsFinite(d) => Number(d.ToString("R", CultureInfo.InvariantCulture)),
        float f when float.IsFinite(f) => Number(f.ToString("R", CultureInfo.InvariantCulture)),
        int or long or short or byte or decimal => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => JsonSerializer.Serialize(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    // 1E+21: quoted, since YAML 1.1 and 1.2 readers read an exponent without a dot differently.
    static string Number(string text) => text.Contains('E') ? JsonSerializer.Serialize(text) : text;

    public static string Write(
        string sessionDir,
        string subject,
        DateTime sessionDatetime,
        IEnumerable<string>? experimenters = null,
        IEnumerable<string>? projects = null,
        string? note = null,
        IDictionary<string, object>? attributes = null)
    {
        var lines = new List<string>
        {
            $"subject: {Scalar(subject)}",
            $"session_datetime: {Scalar(sessionDatetime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))}",
        };
        if (experimenters?.Any() == true)
            lines.Add($"experimenters: [{string.Join(", ", experimenters.Select(Scalar))}]");
        if (projects?.Any() == true)
            lines.Add($"projects: [{string.Join(", ", projects.Select(Scalar))}]");
        if (note != null)
            lines.Add($"note: {Scalar(note)}");
        if (attributes?.Count > 0)
        {
            lines.Add("attributes:");
            lines.AddRange(attributes.Select(a => $"  {Scalar(a.Key)}: {Scalar(a.Value)}"));
        }

        Directory.CreateDirectory(sessionDir);
        var target = Path.Combine(sessionDir, "session.yaml");
        var temp = Path.Combine(sessionDir, $".session.yaml.{Guid.NewGuid():N}"[..26] + ".tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            var bytes = new UTF8Encoding(false).GetBytes(string.Join("\n", lines) + "\n");
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temp, target);  // no overwrite: IOException when a sidecar exists
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return target;
    }
}
