using Overlay.Observer.Web;

// The observer dashboard: a web page showing the overlay live, with a control panel.
// Usage: dotnet run -c Release --project samples/Overlay.Observer.Web -- --demo
//        [--urls http://127.0.0.1:5080] [--observer-port N] [--secret S] [--trace-log PATH]
WebApplication app;
try
{
    app = DashboardApp.Build(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(DashboardOptions.Usage);
    return 2;
}

await app.RunAsync();
return 0;
