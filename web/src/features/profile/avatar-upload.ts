// Uploads a cropped avatar: `signUpload` (purpose "avatar") → the signed form POSTed to
// Cloudinary with progress. Cloudinary then notifies the `cloudinaryNotification` function,
// which sets the profile's avatarUrl. Loaded on demand (it pulls in firebase/functions).
import { FirebaseError } from "firebase/app";
import { httpsCallable } from "firebase/functions";
import { postForm, roomFunctions } from "@/features/chat/firestore/room-functions";

interface SignUploadResult {
  uploadUrl: string;
  params: Record<string, string>;
  publicId: string;
}

export async function uploadAvatar(file: File, onProgress: (fraction: number) => void): Promise<string> {
  let signed: SignUploadResult;
  try {
    const result = await httpsCallable<object, SignUploadResult>(
      roomFunctions(),
      "signUpload",
    )({
      purpose: "avatar",
      filename: file.name,
      contentType: file.type,
      size: file.size,
    });
    signed = result.data;
  } catch (error) {
    throw new Error(signUploadMessage(error), { cause: error });
  }
  const form = new FormData();
  for (const [key, value] of Object.entries(signed.params)) form.append(key, value);
  form.append("file", file);
  await postForm(signed.uploadUrl, form, onProgress);
  return signed.publicId;
}

/** The server's reason without its field prefix ("size: must be at most 5 MB" → "Must be at most 5 MB"). */
function signUploadMessage(error: unknown): string {
  if (error instanceof FirebaseError) {
    if (error.code === "functions/resource-exhausted") return "Too many uploads just now. Try again in a few minutes.";
    const message = error.message.replace(/^[a-zA-Z]+: /, "");
    if (error.code === "functions/invalid-argument" && message)
      return message.charAt(0).toUpperCase() + message.slice(1);
    if (error.code === "functions/unavailable" || error.code === "functions/internal")
      return "The upload service is unavailable. Try again.";
  }
  return error instanceof Error && error.message ? error.message : "Couldn't start the upload.";
}
