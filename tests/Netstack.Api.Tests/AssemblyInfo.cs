using System.Runtime.Versioning;

// The daemon under test serves on unix sockets and is Linux-only.
[assembly: SupportedOSPlatform("linux")]
