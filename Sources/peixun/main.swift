import PeixunServer

try await Entrypoint.main()
