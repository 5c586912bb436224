using System.Runtime.CompilerServices;

// Every native signature here is blittable; the LibraryImport generator does the rest.
[assembly: DisableRuntimeMarshalling]
